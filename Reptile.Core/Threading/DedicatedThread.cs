using Reptile.Kernels;

namespace Reptile.Threading;

/// <summary>
/// One background thread of a <see cref="WorkerPool"/>, kept (blocked) between uses: <see cref="Start"/> hands it
/// a body, the claims on its range and its part, and the caller's <see cref="ComputeSettings"/>; <see cref="Wait"/>
/// blocks until it is done.
/// The settings are adopted here, for every piece of work, so no caller can forget them and results never
/// depend on which thread computed them.
/// </summary>
internal sealed class DedicatedThread
{
    private readonly HandOverSignal started = new(), finished = new();
    private IRangeBody? body;
    private ComputeSettings settings = ComputeSettings.Default;
    private RangeClaims claims = null!;
    private int part;
    private Exception? failure;

    public DedicatedThread(string name) =>
        new Thread(Loop) { IsBackground = true, Name = name }.Start();

    public void Start(IRangeBody body, RangeClaims claims, int part, ComputeSettings settings)
    {
        (this.body, this.claims, this.part, this.settings) = (body, claims, part, settings);
        started.Raise();
    }

    /// <summary>Waits for the work of the last <see cref="Start"/> (exactly once per Start) and returns what it
    /// threw, if anything.</summary>
    public Exception? Wait()
    {
        finished.WaitAndLower();
        var e = failure;
        (failure, body) = (null, null);
        return e;
    }

    private void Loop()
    {
        while (true)
        {
            started.WaitAndLower();
            try
            {
                using (ComputeSettings.Use(settings))
                    while (claims.Next(part, out int from, out int to)) body!.Run(from, to);
            }
            catch (Exception e)
            {
                failure = e;
                claims.Abandon();
            }
            finished.Raise();
        }
    }
}
