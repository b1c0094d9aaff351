using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>
/// Splits the calling thread's ops between it and one helper thread: large matrix products by columns of the
/// result (each thread packs only its own part of B) or by rows, im2col and col2im by channels, and (<see cref="For"/>)
/// batch norm, activations, bias passes, gradient clears and the Adam step by channels or elements. Every value
/// is still computed by the same kernel in the same order, so results are bit-identical to one thread. This
/// lets supervised-reptile's chained inner state, whose tasks must run one after another, use a second core.
/// Enabled per thread (<see cref="Use"/>), so task-parallel workers and evaluation threads are unaffected.
/// </summary>
public static class IntraOpParallelism
{
    /// <summary>The helper serving this thread while a <see cref="Use"/> scope is open.</summary>
    [ThreadStatic] private static WorkerThread<Work>? helper;

    /// <summary>This thread's helper, kept (blocked, as a background thread) between scopes so that opening one
    /// every meta-iteration neither starts a thread nor allocates.</summary>
    [ThreadStatic] private static WorkerThread<Work>? idle;

    /// <summary>Uses a helper thread for this thread's large products until the result is disposed.</summary>
    public static Scope Use(int threads)
    {
        if (threads < 2 || helper != null) return default;
        helper = idle ??= new WorkerThread<Work>("Reptile intra-op helper");
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

    /// <summary><see cref="Gemm.Multiply"/>, with C split between this thread and the helper when there is one and
    /// the product is large: by columns (each thread packs only its own part of B), or by rows when the columns do
    /// not split evenly on a panel boundary (the first layer's 64×9 weight gradient, the last layer's 40 positions).</summary>
    public static unsafe void Gemm(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
        Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        var h = helper;
        var split = Kernels.Gemm.Split(m, n, k, h == null ? 1 : 2);
        if (split.Parts < 2)
        {
            Kernels.Gemm.Multiply(a, transA, b, transB, c, m, n, k, accumulate);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            var second = split.Block(1);
            h.Start(Work.Product(pa, a.Length, transA, pb, b.Length, transB, pc, c.Length, m, n, k, accumulate, split.ByColumns, split.ByColumns ? second.ColumnStart : second.RowStart));
            // The helper reads these pinned buffers: never leave (even by an exception) before it is done.
            try
            {
                Kernels.Gemm.Multiply(a, transA, b, transB, c, m, n, k, accumulate, split.Block(0));
            }
            finally { h.Wait(); }
        }
    }

    /// <summary>Values moved below which an im2col gather or col2im scatter stays on one thread.</summary>
    private const int MinMoved = 1 << 16;

    /// <summary><see cref="Convolution.Im2Col"/>, the channels split between this thread and the helper.</summary>
    public static unsafe void Im2Col(ReadOnlySpan<float> x, int channels, ConvolutionPlan plan, Span<float> cols) =>
        ByChannels(x, channels, plan, cols, col2im: false);

    /// <summary><see cref="Convolution.Col2Im"/>, the channels split between this thread and the helper.</summary>
    public static unsafe void Col2Im(ReadOnlySpan<float> cols, int channels, ConvolutionPlan plan, Span<float> dx) =>
        ByChannels(cols, channels, plan, dx, col2im: true);

    /// <summary>Channels are independent in both directions, so each thread takes half of them.</summary>
    private static unsafe void ByChannels(ReadOnlySpan<float> source, int channels, ConvolutionPlan plan, Span<float> destination, bool col2im)
    {
        var h = helper;
        int half = channels / 2;
        if (h == null || half == 0 || (long)channels * plan.Index.Length < MinMoved || source.Length % channels != 0 || destination.Length % channels != 0)
        {
            Lower(source, channels, plan, destination, col2im);
            return;
        }
        int sourcePer = source.Length / channels, destinationPer = destination.Length / channels;
        fixed (float* ps = source, pd = destination)
        {
            h.Start(Work.Channels(col2im, plan, ps + (long)half * sourcePer, (channels - half) * sourcePer,
                pd + (long)half * destinationPer, (channels - half) * destinationPer, channels - half));
            try { Lower(source[..(half * sourcePer)], half, plan, destination[..(half * destinationPer)], col2im); }
            finally { h.Wait(); }
        }
    }

    private static void Lower(ReadOnlySpan<float> source, int channels, ConvolutionPlan plan, Span<float> destination, bool col2im)
    {
        if (col2im) Convolution.Col2Im(source, channels, plan, destination);
        else Convolution.Im2Col(source, channels, plan, destination);
    }

    /// <summary>Work below which a <see cref="For"/> stays on one thread (values touched).</summary>
    private const long MinTouched = 1 << 15;

    /// <summary>
    /// Runs body(state, from, to) over [0, count): the lower half on this thread and the upper half on the
    /// helper when there is one and <paramref name="work"/> (values touched) is large enough. The split falls on
    /// a multiple of <paramref name="grain"/>. For per-channel and elementwise passes (batch norm, activations,
    /// the optimizer step), whose values do not depend on where the range is cut. A static function and its
    /// state object, so nothing is allocated.
    /// </summary>
    public static unsafe void For(int count, int grain, long work, delegate*<object, int, int, void> body, object state)
    {
        var h = helper;
        int half = count / 2 / grain * grain;
        if (h == null || half == 0 || work < MinTouched)
        {
            body(state, 0, count);
            return;
        }
        h.Start(Work.Range(body, state, half, count));
        try { body(state, 0, half); }
        finally { h.Wait(); }
    }

    /// <summary>The helper's share of a product (its columns or rows from split on), of an im2col/col2im (the upper
    /// channels) or of a range.</summary>
    private readonly unsafe struct Work : IWorkItem
    {
        private enum Kind { ProductColumns, ProductRows, Im2Col, Col2Im, Range }

        private readonly Kind kind;
        private readonly float* a, b, c;
        private readonly ConvolutionPlan? plan;
        private readonly delegate*<object, int, int, void> body;
        private readonly object? state;
        private readonly int aLength, bLength, cLength, m, n, k, split;
        private readonly bool transA, transB, accumulate;

        private Work(Kind kind, float* a, int aLength, bool transA, float* b, int bLength, bool transB, float* c, int cLength,
            ConvolutionPlan? plan, int m, int n, int k, bool accumulate, int split,
            delegate*<object, int, int, void> body = null, object? state = null)
        {
            this.kind = kind;
            this.a = a; this.aLength = aLength; this.transA = transA;
            this.b = b; this.bLength = bLength; this.transB = transB;
            this.c = c; this.cLength = cLength;
            this.plan = plan;
            this.body = body; this.state = state;
            this.m = m; this.n = n; this.k = k; this.accumulate = accumulate; this.split = split;
        }

        /// <summary>The columns (or rows) of C from <paramref name="split"/> on.</summary>
        public static Work Product(float* a, int aLength, bool transA, float* b, int bLength, bool transB, float* c, int cLength,
            int m, int n, int k, bool accumulate, bool byColumns, int split) =>
            new(byColumns ? Kind.ProductColumns : Kind.ProductRows, a, aLength, transA, b, bLength, transB, c, cLength, null, m, n, k, accumulate, split);

        /// <summary>body(state, from, to).</summary>
        public static Work Range(delegate*<object, int, int, void> body, object state, int from, int to)
        {
            return new(Kind.Range, null, 0, false, null, 0, false, null, 0, null, from, to, 0, false, 0, body, state);
        }

        /// <summary>Lowers (or, for col2im, raises) <paramref name="channels"/> channels from source to destination.</summary>
        public static Work Channels(bool col2im, ConvolutionPlan plan, float* source, int sourceLength, float* destination, int destinationLength, int channels) =>
            new(col2im ? Kind.Col2Im : Kind.Im2Col, source, sourceLength, false, null, 0, false, destination, destinationLength, plan, channels, 0, 0, false, 0);

        public void Run()
        {
            switch (kind)
            {
                case Kind.ProductColumns:
                    Kernels.Gemm.Multiply(new ReadOnlySpan<float>(a, aLength), transA, new ReadOnlySpan<float>(b, bLength), transB,
                        new Span<float>(c, cLength), m, n, k, accumulate, new GemmBlock(0, m, split, n));
                    break;
                case Kind.ProductRows:
                    Kernels.Gemm.Multiply(new ReadOnlySpan<float>(a, aLength), transA, new ReadOnlySpan<float>(b, bLength), transB,
                        new Span<float>(c, cLength), m, n, k, accumulate, new GemmBlock(split, m, 0, n));
                    break;
                case Kind.Range:
                    body(state!, m, n);
                    break;
                default:
                    Lower(new ReadOnlySpan<float>(a, aLength), m, plan!, new Span<float>(c, cLength), kind == Kind.Col2Im);
                    break;
            }
        }
    }
}
