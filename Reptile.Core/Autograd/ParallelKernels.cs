using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// The kernels an op runs as parts on the <see cref="WorkerPool"/>: matrix products cut where
/// <see cref="Kernels.Gemm.Split"/> says, im2col and col2im by channels. Every value is computed by the same kernel
/// in the same order as on one thread, so results are bit-identical whatever the number of threads.
/// </summary>
internal static class ParallelKernels
{
    /// <summary><see cref="Kernels.Gemm.Multiply(ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, int, int, int, bool)"/>,
    /// its blocks computed by the pool's threads.</summary>
    public static unsafe void Gemm(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
        Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        var split = Kernels.Gemm.Split(m, n, k, WorkerPool.Threads);
        if (split.Parts < 2)
        {
            Kernels.Gemm.Multiply(a, transA, b, transB, c, m, n, k, accumulate);
            return;
        }
        // The pool's threads read these pinned buffers; For returns only when every part is done.
        fixed (float* pa = a, pb = b, pc = c)
        {
            var parts = new ProductParts(pa, a.Length, transA, pb, b.Length, transB, pc, c.Length, m, n, k, accumulate, split);
            WorkerPool.For(split.Parts, 1, (long)m * n * k, in parts);
        }
    }

    /// <summary>Blocks [from, to) of a split product.</summary>
    private readonly unsafe struct ProductParts(float* a, int aLength, bool transA, float* b, int bLength, bool transB,
        float* c, int cLength, int m, int n, int k, bool accumulate, GemmSplit split) : IRangeBody
    {
        public void Run(int from, int to)
        {
            for (int part = from; part < to; part++)
                Kernels.Gemm.Multiply(new ReadOnlySpan<float>(a, aLength), transA, new ReadOnlySpan<float>(b, bLength), transB,
                    new Span<float>(c, cLength), m, n, k, accumulate, split.Block(part));
        }
    }

    /// <summary><see cref="Convolution.Im2Col"/>, by channels on the pool's threads.</summary>
    public static void Im2Col(ReadOnlySpan<float> x, int channels, ConvolutionPlan plan, Span<float> cols) =>
        ByChannels(x, channels, plan, cols, col2im: false);

    /// <summary><see cref="Convolution.Col2Im"/>, by channels on the pool's threads.</summary>
    public static void Col2Im(ReadOnlySpan<float> cols, int channels, ConvolutionPlan plan, Span<float> dx) =>
        ByChannels(cols, channels, plan, dx, col2im: true);

    /// <summary>Channels are independent in both directions, so each thread takes a contiguous run of them.</summary>
    private static unsafe void ByChannels(ReadOnlySpan<float> source, int channels, ConvolutionPlan plan, Span<float> destination, bool col2im)
    {
        if (WorkerPool.Threads < 2 || channels < 2 || source.Length % channels != 0 || destination.Length % channels != 0)
        {
            Lower(source, channels, plan, destination, col2im);
            return;
        }
        fixed (float* ps = source, pd = destination)
        {
            var parts = new ChannelParts(col2im, plan, ps, source.Length / channels, pd, destination.Length / channels);
            WorkerPool.For(channels, 1, (long)channels * plan.Index.Length, in parts);
        }
    }

    private static void Lower(ReadOnlySpan<float> source, int channels, ConvolutionPlan plan, Span<float> destination, bool col2im)
    {
        if (col2im) Convolution.Col2Im(source, channels, plan, destination);
        else Convolution.Im2Col(source, channels, plan, destination);
    }

    /// <summary>Channels [from, to) of an im2col (or col2im): sourcePer and destinationPer values per channel.</summary>
    private readonly unsafe struct ChannelParts(bool col2im, ConvolutionPlan plan, float* source, int sourcePer, float* destination, int destinationPer) : IRangeBody
    {
        public void Run(int from, int to) =>
            Lower(new ReadOnlySpan<float>(source + (long)from * sourcePer, (to - from) * sourcePer), to - from, plan,
                new Span<float>(destination + (long)from * destinationPer, (to - from) * destinationPer), col2im);
    }
}
