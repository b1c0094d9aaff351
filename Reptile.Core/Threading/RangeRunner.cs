namespace Reptile.Threading;

/// <summary>
/// Holds a copy of a body for the pool's threads: bodies are usually structs (built on the stack per call, so a
/// call allocates nothing), which a thread can only be handed inside an object. One per calling thread and body
/// type, reused by every call.
/// </summary>
internal sealed class RangeRunner<TBody> : IRangeBody where TBody : IRangeBody
{
    [ThreadStatic] private static RangeRunner<TBody>? ofThisThread;

    private TBody body = default!;

    /// <summary>This thread's runner, now holding <paramref name="body"/>.</summary>
    public static RangeRunner<TBody> Holding(in TBody body)
    {
        var runner = ofThisThread ??= new RangeRunner<TBody>();
        runner.body = body;
        return runner;
    }

    public void Run(int from, int to) => body.Run(from, to);

    /// <summary>Drops the body's references once every thread is done with it.</summary>
    public void Release() => body = default!;
}
