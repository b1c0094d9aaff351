using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>A piece of work a <see cref="WorkerThread{TWork}"/> runs (a struct, so handing it over allocates nothing).</summary>
public interface IWorkItem
{
    void Run();
}

/// <summary>
/// A dedicated background thread that runs one work item at a time: <see cref="Start"/> hands it over,
/// <see cref="Wait"/> blocks until it is done and rethrows what it threw. Unlike the thread pool, a hand-over
/// allocates nothing, and both sides spin briefly first, so back-to-back hand-overs cost microseconds.
/// </summary>
public sealed class WorkerThread<TWork> where TWork : struct, IWorkItem
{
    private readonly Signal started = new(), finished = new();
    private TWork work;
    private SimdPath? path;
    private Exception? failure;

    public WorkerThread(string name) =>
        new Thread(Loop) { IsBackground = true, Name = name }.Start();

    /// <summary>Hands <paramref name="next"/> over; it runs on the calling thread's SIMD path (see
    /// <see cref="Simd.Adopt"/>), so where it runs does not change its results.</summary>
    public void Start(TWork next)
    {
        work = next;
        path = Simd.Forced;
        started.Raise();
    }

    /// <summary>Waits for the work of the last <see cref="Start"/> (call exactly once per Start).</summary>
    public void Wait()
    {
        finished.WaitAndLower();
        if (failure is { } e) { failure = null; throw new AggregateException("Work on a Reptile worker thread failed.", e); }
    }

    private void Loop()
    {
        while (true)
        {
            started.WaitAndLower();
            try
            {
                using (Simd.Adopt(path)) work.Run();
            }
            catch (Exception e) { failure = e; }
            finished.Raise();
        }
    }

    /// <summary>
    /// A flag one thread raises and one other waits for: the waiter spins a while, then sleeps on a kernel event
    /// that the raiser sets only if the waiter went to sleep. (ManualResetEventSlim allocates when its wait
    /// blocks; a kernel event on every hand-over would cost a system call each time.)
    /// </summary>
    private sealed class Signal
    {
        private const int SpinLimit = 2000;
        private readonly AutoResetEvent wake = new(false);
        private volatile bool raised;
        private int sleeping;

        public void Raise()
        {
            raised = true;
            if (Interlocked.Exchange(ref sleeping, 0) == 1) wake.Set();
        }

        public void WaitAndLower()
        {
            var spinner = new SpinWait();
            while (!raised)
            {
                if (spinner.Count < SpinLimit)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                // Announce the sleep, then look again: a raise either sees the announcement or is seen here.
                Interlocked.Exchange(ref sleeping, 1);
                if (raised)
                {
                    Interlocked.Exchange(ref sleeping, 0);
                    break;
                }
                wake.WaitOne(); // may also return for a stale wake-up: the loop looks again
            }
            raised = false;
        }
    }
}
