using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>
/// Splits the large matrix products of the calling thread's ops between it and one helper thread, by columns
/// of the result (each thread packs only its own part of B). Each element of C is still computed by the same
/// kernel in the same order, so results are bit-identical to one thread. This lets supervised-reptile's chained inner state, whose tasks must run one
/// after another, use a second core. Enabled per thread (<see cref="Use"/>), so task-parallel workers and
/// evaluation threads are unaffected.
/// </summary>
public static class IntraOpParallelism
{
    /// <summary>Products below this many multiply-adds stay on one thread: the hand-off would cost more.</summary>
    private const long MinVolume = 1L << 20;

    /// <summary>The helper serving this thread while a <see cref="Use"/> scope is open.</summary>
    [ThreadStatic] private static Helper? helper;

    /// <summary>This thread's helper, kept (blocked, as a background thread) between scopes so that opening one
    /// every meta-iteration neither starts a thread nor allocates.</summary>
    [ThreadStatic] private static Helper? idle;

    /// <summary>Uses a helper thread for this thread's large products until the result is disposed.</summary>
    public static Scope Use(int threads)
    {
        if (threads < 2 || helper != null) return default;
        helper = idle ??= new Helper();
        return new Scope(true);
    }

    /// <summary>Closes a <see cref="Use"/> scope (a struct: opening and closing allocates nothing).</summary>
    public readonly struct Scope(bool opened) : IDisposable
    {
        public void Dispose()
        {
            if (opened) helper = null;
        }
    }

    /// <summary><see cref="Gemm.Multiply"/>, with the columns of C split between this thread and the helper
    /// when there is one and the product is large.</summary>
    public static unsafe void Gemm(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
        Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        var h = helper;
        // Split on a multiple of 32 columns, the widest micro-kernel panel, so both parts tile like the whole.
        int split = (n / 2 + 31) / 32 * 32;
        if (h == null || (long)m * n * k < MinVolume || split <= 0 || split >= n)
        {
            Kernels.Gemm.Multiply(a, transA, b, transB, c, m, n, k, accumulate);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            h.Start(new Work(pa, a.Length, transA, pb, b.Length, transB, pc, c.Length, m, n, k, accumulate, split));
            Kernels.Gemm.MultiplyColumns(a, transA, b, transB, c, m, n, k, accumulate, 0, split);
            h.Wait();
        }
    }

    /// <summary>The helper's share: columns [split, n) of the product.</summary>
    private readonly unsafe struct Work(float* a, int aLength, bool transA, float* b, int bLength, bool transB,
        float* c, int cLength, int m, int n, int k, bool accumulate, int split)
    {
        private readonly float* A = a, B = b, C = c;
        private readonly int ALength = aLength, BLength = bLength, CLength = cLength, M = m, N = n, K = k, Split = split;
        private readonly bool TransA = transA, TransB = transB, Accumulate = accumulate;

        public void Run() => Kernels.Gemm.MultiplyColumns(new ReadOnlySpan<float>(A, ALength), TransA, new ReadOnlySpan<float>(B, BLength), TransB,
            new Span<float>(C, CLength), M, N, K, Accumulate, Split, N);
    }

    private sealed class Helper
    {
        private readonly Thread thread;
        private readonly ManualResetEventSlim started = new(false, spinCount: 2000), finished = new(false, spinCount: 2000);
        private Work work;
        private Exception? failure;

        public Helper()
        {
            thread = new Thread(Loop) { IsBackground = true, Name = "Reptile intra-op helper" };
            thread.Start();
        }

        public void Start(Work next)
        {
            work = next;
            finished.Reset();
            started.Set();
        }

        public void Wait()
        {
            finished.Wait();
            if (failure is { } e) { failure = null; throw new AggregateException("A helper-thread product failed.", e); }
        }

        private void Loop()
        {
            while (true)
            {
                started.Wait();
                started.Reset();
                try { work.Run(); }
                catch (Exception e) { failure = e; }
                finished.Set();
            }
        }
    }
}
