using Reptile.Threading;

namespace Reptile.Tests.Support;

/// <summary>
/// The first time a thread blocks in a wait, the runtime allocates that thread's wait bookkeeping once. The worker
/// pool's hand-over blocks only after spinning, so on a loaded machine the first block can fall inside an
/// allocation test's measured loop. Warming makes the calling thread and its pool threads block once beforehand.
/// </summary>
public static class BlockingWaits
{
    /// <summary>Runs one pool loop whose parts outlast the spin, so every thread involved blocks once.</summary>
    public static void Warm(int threads)
    {
        using (WorkerPool.Use(threads))
        {
            WorkerPool.For(threads, 1, long.MaxValue, new SlowParts());
            WorkerPool.For(threads, 1, long.MaxValue, new SlowParts(firstIsSlow: true));
        }
    }

    /// <summary>Parts that sleep: the caller's part 0 (so helpers wait for their next work) or the others (so the caller
    /// waits for them).</summary>
    private readonly struct SlowParts(bool firstIsSlow = false) : IRangeBody
    {
        public void Run(int from, int to)
        {
            if ((from == 0) == firstIsSlow) Thread.Sleep(50);
        }
    }
}
