namespace Reptile.Threading;

/// <summary>
/// A flag one thread raises and one other waits for: the waiter spins a while, then sleeps on a kernel event that
/// the raiser sets only if the waiter went to sleep. (ManualResetEventSlim allocates when its wait blocks; a kernel
/// event on every hand-over would cost a system call each time.)
/// </summary>
internal sealed class HandOverSignal
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
