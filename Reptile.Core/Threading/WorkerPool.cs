using System.Runtime.ExceptionServices;
using Reptile.Kernels;

namespace Reptile.Threading;

/// <summary>
/// The one way Reptile computes on several threads: <see cref="For{TBody}(int, int, long, in TBody)"/> shares a range
/// among the calling thread and this thread's dedicated background threads (kept between uses, handed
/// over with a spin-then-sleep signal: microseconds, no allocation), each on the caller's
/// <see cref="ComputeSettings"/>, and returns when all are done. How many threads a thread's For uses is set for a
/// scope (<see cref="Use"/>); without one, and inside a For's part (nested calls), For runs the whole range inline.
/// So ops split themselves only where a caller asked for it (the chained inner loop), never inside task or
/// evaluation workers that already keep every core busy.
/// </summary>
internal static class WorkerPool
{
    /// <summary>Work (values touched) below which a For stays on one thread: a hand-over would cost more.</summary>
    public const long MinWork = 1 << 15;

    [ThreadStatic] private static int scopeThreads;
    [ThreadStatic] private static bool inPart;
    [ThreadStatic] private static DedicatedThread[]? threads;

    /// <summary>How many threads a For on this thread may use now.</summary>
    public static int Threads => inPart ? 1 : Math.Max(1, scopeThreads);

    /// <summary>Lets For on this thread use <paramref name="threads"/> threads (itself included) until the result is
    /// disposed (a struct: opening and closing a scope allocates nothing).</summary>
    public static Scope Use(int threads)
    {
        var previous = scopeThreads;
        scopeThreads = Math.Max(1, threads);
        return new Scope(previous);
    }

    /// <summary>Restores the thread count a thread had before <see cref="Use"/>.</summary>
    public readonly struct Scope(int previous) : IDisposable
    {
        public void Dispose() => scopeThreads = previous;
    }

    /// <summary>
    /// Runs <paramref name="body"/> over [0, <paramref name="count"/>) on up to <see cref="Threads"/> threads, or in one
    /// call when <paramref name="work"/> is below <see cref="MinWork"/>. Each thread starts on its own stretch (part p
    /// from p·count/parts, rounded down to a multiple of <paramref name="grain"/>) and, once done, takes what is left
    /// of the others' (<see cref="RangeClaims"/>); every cut falls on a multiple of the grain. If a piece throws,
    /// no new pieces start, and the first exception (the caller's first) is rethrown here after every thread has
    /// finished; the pool stays usable.
    /// </summary>
    public static void For<TBody>(int count, int grain, long work, in TBody body) where TBody : IRangeBody =>
        For(count, grain, work, body, -1);

    /// <summary>
    /// <see cref="For{TBody}(int, int, long, in TBody)"/> whose two threads start on [0, <paramref name="split"/>) and
    /// [<paramref name="split"/>, count): two kinds of item of equal total work (the caller's kind first), each
    /// thread on one kind until it runs out, then on what is left of the other's.
    /// </summary>
    public static void For<TBody>(int count, int grain, long work, in TBody body, int split) where TBody : IRangeBody
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(grain, 1);
        int parts = split >= 0 ? Math.Min(Threads, 2) : Math.Min(Threads, count / grain);
        if (parts < 2 || work < MinWork)
        {
            body.Run(0, count);
            return;
        }
        var helpers = Helpers(parts - 1);
        var runner = RangeRunner<TBody>.Holding(body);
        var claims = RangeClaims.For(count, parts, grain, split);
        var settings = ComputeSettings.Current;
        for (int p = 1; p < parts; p++) helpers[p - 1].Start(runner, claims, p, settings);
        Exception? failure = null;
        inPart = true;
        try
        {
            while (claims.Next(0, out int from, out int to)) body.Run(from, to);
        }
        catch (Exception e)
        {
            failure = e;
            claims.Abandon();
        }
        finally { inPart = false; }
        // The helpers read the body's buffers: never leave before all are done, even after a failure.
        for (int p = 1; p < parts; p++)
        {
            var helperFailure = helpers[p - 1].Wait();
            failure ??= helperFailure;
        }
        runner.Release();
        if (failure != null) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Runs <paramref name="work"/> on a thread-pool thread, on the caller's <see cref="ComputeSettings"/>, for
    /// work that overlaps the caller's own (the background interval evaluation) rather than splitting it.</summary>
    public static Task InBackground(Action work)
    {
        var settings = ComputeSettings.Current;
        return Task.Run(() =>
        {
            using (ComputeSettings.Use(settings)) work();
        });
    }

    /// <summary>This thread's helpers, grown on demand and kept (blocked) for its later calls.</summary>
    private static DedicatedThread[] Helpers(int count)
    {
        var have = threads ?? [];
        if (have.Length >= count) return have;
        var grown = new DedicatedThread[count];
        have.CopyTo(grown, 0);
        for (int i = have.Length; i < count; i++) grown[i] = new DedicatedThread("Reptile worker " + (i + 1));
        return threads = grown;
    }
}
