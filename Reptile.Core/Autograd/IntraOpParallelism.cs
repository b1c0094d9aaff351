using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>
/// Splits the large matrix products of the calling thread's ops between it and one helper thread, by rows of
/// the result. Each element of C is still computed by the same kernel in the same order, so results are
/// bit-identical to one thread. This lets supervised-reptile's chained inner state, whose tasks must run one
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

    /// <summary>True when this thread's large products are being split.</summary>
    public static bool Active => helper != null;

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

    /// <summary><see cref="Gemm.Multiply"/>, with the rows of C split between this thread and the helper
    /// when there is one and the product is large.</summary>
    public static unsafe void Gemm(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
        Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        var h = helper;
        if (h == null || transA || m < 16 || (long)m * n * k < MinVolume)
        {
            Kernels.Gemm.Multiply(a, transA, b, transB, c, m, n, k, accumulate);
            return;
        }
        if (a.Length < (long)m * k || c.Length < (long)m * n)
            throw new ArgumentException($"Gemm: A has {a.Length} and C {c.Length} elements for a {m}×{k} · {k}×{n} product.");
        // Split on a multiple of 8 rows (the micro-kernel's panel height) so both halves tile like the whole.
        int top = (m / 2 + 7) / 8 * 8;
        fixed (float* pa = a, pb = b, pc = c)
        {
            h.Start(new Work(pa + (long)top * k, pb, b.Length, pc + (long)top * n, m - top, n, k, transB, accumulate));
            Kernels.Gemm.Multiply(a[..(top * k)], false, b, transB, c[..(top * n)], top, n, k, accumulate);
            h.Wait();
        }
    }

    private readonly unsafe struct Work(float* a, float* b, int bLength, float* c, int m, int n, int k, bool transB, bool accumulate)
    {
        private readonly float* A = a, B = b, C = c;
        private readonly int BLength = bLength, M = m, N = n, K = k;
        private readonly bool TransB = transB, Accumulate = accumulate;

        public void Run() => Kernels.Gemm.Multiply(new ReadOnlySpan<float>(A, M * K), false, new ReadOnlySpan<float>(B, BLength), TransB,
            new Span<float>(C, M * N), M, N, K, Accumulate);
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
