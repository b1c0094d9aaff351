using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>A piece of work a <see cref="WorkerThread{TWork}"/> runs (a struct, so handing it over allocates nothing).
/// To be removed with <see cref="WorkerThread{TWork}"/>.</summary>
public interface IWorkItem
{
    void Run();
}

/// <summary>
/// One dedicated background thread running one work item at a time, on the starting thread's
/// <see cref="ComputeSettings"/>. To be removed once Meta runs its task workers through <see cref="WorkerPool.For{TBody}"/>.
/// </summary>
public sealed class WorkerThread<TWork> where TWork : struct, IWorkItem
{
    private readonly DedicatedThread thread;
    private readonly Runner runner = new();

    public WorkerThread(string name) => thread = new DedicatedThread(name);

    /// <summary>Hands <paramref name="next"/> over.</summary>
    public void Start(TWork next)
    {
        runner.Work = next;
        thread.Start(runner, 0, 1, ComputeSettings.Current);
    }

    /// <summary>Waits for the work of the last <see cref="Start"/> (call exactly once per Start) and rethrows what it
    /// threw, wrapped.</summary>
    public void Wait()
    {
        if (thread.Wait() is { } e) throw new AggregateException("Work on a Reptile worker thread failed.", e);
    }

    private sealed class Runner : IRangeBody
    {
        public TWork Work;

        public void Run(int from, int to) => Work.Run();
    }
}
