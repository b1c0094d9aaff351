using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>
/// Splits the large matrix products of the calling thread's ops between it and one helper thread, by columns
/// of the result (each thread packs only its own part of B), and the im2col gathers and col2im scatters by
/// channels. Every value is still computed by the same kernel in the same order, so results are bit-identical
/// to one thread. This lets supervised-reptile's chained inner state, whose tasks must run one after another,
/// use a second core. Enabled per thread (<see cref="Use"/>), so task-parallel workers and
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
            h.Start(Work.Product(pa, a.Length, transA, pb, b.Length, transB, pc, c.Length, m, n, k, accumulate, split));
            // The helper reads these pinned buffers: never leave (even by an exception) before it is done.
            try { Kernels.Gemm.MultiplyColumns(a, transA, b, transB, c, m, n, k, accumulate, 0, split); }
            finally { h.Wait(); }
        }
    }

    /// <summary>Values moved below which an im2col gather or col2im scatter stays on one thread.</summary>
    private const int MinMoved = 1 << 16;

    /// <summary><see cref="Convolution.Gather"/>, the channels split between this thread and the helper.</summary>
    public static unsafe void Gather(ReadOnlySpan<float> x, int channels, ReadOnlySpan<int> index, Span<float> cols) =>
        ByChannels(x, channels, index, cols, scatter: false);

    /// <summary><see cref="Convolution.ScatterAdd"/>, the channels split between this thread and the helper.</summary>
    public static unsafe void ScatterAdd(ReadOnlySpan<float> cols, int channels, ReadOnlySpan<int> index, Span<float> dx) =>
        ByChannels(cols, channels, index, dx, scatter: true);

    /// <summary>Channels are independent in both directions, so each thread takes half of them.</summary>
    private static unsafe void ByChannels(ReadOnlySpan<float> source, int channels, ReadOnlySpan<int> index, Span<float> destination, bool scatter)
    {
        var h = helper;
        int half = channels / 2;
        if (h == null || half == 0 || (long)channels * index.Length < MinMoved || source.Length % channels != 0 || destination.Length % channels != 0)
        {
            if (scatter) Convolution.ScatterAdd(source, channels, index, destination);
            else Convolution.Gather(source, channels, index, destination);
            return;
        }
        int sourcePer = source.Length / channels, destinationPer = destination.Length / channels;
        fixed (float* ps = source, pd = destination) fixed (int* pi = index)
        {
            h.Start(Work.Channels(scatter, ps + (long)half * sourcePer, (channels - half) * sourcePer, pi, index.Length,
                pd + (long)half * destinationPer, (channels - half) * destinationPer, channels - half));
            try
            {
                if (scatter) Convolution.ScatterAdd(source[..(half * sourcePer)], half, index, destination[..(half * destinationPer)]);
                else Convolution.Gather(source[..(half * sourcePer)], half, index, destination[..(half * destinationPer)]);
            }
            finally { h.Wait(); }
        }
    }

    /// <summary>The helper's share of a product (columns [split, n)) or of a gather/scatter (the upper channels).</summary>
    private readonly unsafe struct Work
    {
        private enum Kind { Product, Gather, Scatter }

        private readonly Kind kind;
        private readonly float* a, b, c;
        private readonly int* index;
        private readonly int aLength, bLength, cLength, indexLength, m, n, k, split;
        private readonly bool transA, transB, accumulate;

        private Work(Kind kind, float* a, int aLength, bool transA, float* b, int bLength, bool transB, float* c, int cLength,
            int* index, int indexLength, int m, int n, int k, bool accumulate, int split)
        {
            this.kind = kind;
            this.a = a; this.aLength = aLength; this.transA = transA;
            this.b = b; this.bLength = bLength; this.transB = transB;
            this.c = c; this.cLength = cLength;
            this.index = index; this.indexLength = indexLength;
            this.m = m; this.n = n; this.k = k; this.accumulate = accumulate; this.split = split;
        }

        public static Work Product(float* a, int aLength, bool transA, float* b, int bLength, bool transB, float* c, int cLength,
            int m, int n, int k, bool accumulate, int split) =>
            new(Kind.Product, a, aLength, transA, b, bLength, transB, c, cLength, null, 0, m, n, k, accumulate, split);

        /// <summary>Moves <paramref name="channels"/> channels from source to destination through the index map.</summary>
        public static Work Channels(bool scatter, float* source, int sourceLength, int* index, int indexLength, float* destination, int destinationLength, int channels) =>
            new(scatter ? Kind.Scatter : Kind.Gather, source, sourceLength, false, null, 0, false, destination, destinationLength, index, indexLength, channels, 0, 0, false, 0);

        public void Run()
        {
            switch (kind)
            {
                case Kind.Product:
                    Kernels.Gemm.MultiplyColumns(new ReadOnlySpan<float>(a, aLength), transA, new ReadOnlySpan<float>(b, bLength), transB,
                        new Span<float>(c, cLength), m, n, k, accumulate, split, n);
                    break;
                case Kind.Gather:
                    Convolution.Gather(new ReadOnlySpan<float>(a, aLength), m, new ReadOnlySpan<int>(index, indexLength), new Span<float>(c, cLength));
                    break;
                default:
                    Convolution.ScatterAdd(new ReadOnlySpan<float>(a, aLength), m, new ReadOnlySpan<int>(index, indexLength), new Span<float>(c, cLength));
                    break;
            }
        }
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
