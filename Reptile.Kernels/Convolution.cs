using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reptile.Kernels;

/// <summary>
/// Lowering of a 2-D convolution to one matrix product (im2col). x is channel-major [C][N][H][W]; cols is
/// (C·kh·kw) × (N·OH·OW) row-major, row (c·kh + i)·kw + j, column (n·OH + oh)·OW + ow holding
/// x[c][n][oh·s − p + i][ow·s − p + j], or 0 in the zero padding.
/// </summary>
public static class Convolution
{
    /// <summary>
    /// The gather map of <see cref="Im2Col"/> for one channel: entry (i·kw + j)·(N·OH·OW) + column holds the offset
    /// of the input pixel within the channel's [N][H][W] block, or −1 in the zero padding. It depends only on
    /// the geometry, so a layer builds it once; <see cref="Gather"/> and <see cref="ScatterAdd"/> then move data
    /// without any per-row bookkeeping (what dominates when the output rows are 7, 4 or 2 wide).
    /// </summary>
    public static void BuildIndex(int batch, int height, int width, int kernelH, int kernelW, int stride, int padding, Span<int> index)
    {
        int oh = OutputSize(height, kernelH, stride, padding), ow = OutputSize(width, kernelW, stride, padding);
        int colWidth = batch * oh * ow;
        Guard.Product(index.Length, kernelH * kernelW, "kernel offsets", colWidth, "output positions", nameof(index));
        for (int i = 0; i < kernelH; i++)
        for (int j = 0; j < kernelW; j++)
        {
            var row = index.Slice((i * kernelW + j) * colWidth, colWidth);
            int p = 0;
            for (int n = 0; n < batch; n++)
            for (int r = 0; r < oh; r++)
            {
                int ih = r * stride - padding + i;
                for (int c = 0; c < ow; c++, p++)
                {
                    int iw = c * stride - padding + j;
                    row[p] = (uint)ih < (uint)height && (uint)iw < (uint)width ? (n * height + ih) * width + iw : -1;
                }
            }
        }
    }

    /// <summary>Im2Col through a map from <see cref="BuildIndex"/>: cols[(c, k), p] = x[c][index[k, p]] or 0.</summary>
    public static unsafe void Gather(ReadOnlySpan<float> x, int channels, ReadOnlySpan<int> index, Span<float> cols)
    {
        int plane = CheckIndexed(x.Length, channels, index, cols.Length, nameof(x));
        if (plane < 0) return;
        // 128-bit vectors have no gather on ARM64 (nor in the cross-platform API): that path takes the index loop.
        bool vector = Simd.Current >= SimdPath.Vector256 && Avx2.IsSupported;
        fixed (float* px = x) fixed (int* pi = index) fixed (float* pc = cols)
        {
            for (int c = 0; c < channels; c++)
            {
                float* src = px + (long)c * plane;
                float* dst = pc + (long)c * index.Length;
                int k = 0;
                if (vector)
                {
                    // Hardware gathers with the padding (index −1) masked off to 0: no branches to mispredict.
                    for (; k + 8 <= index.Length; k += 8)
                    {
                        var at = Vector256.Load(pi + k);
                        var valid = Vector256.GreaterThanOrEqual(at, Vector256<int>.Zero).AsSingle();
                        Avx2.GatherMaskVector256(Vector256<float>.Zero, src, at, valid, 4).Store(dst + k);
                    }
                }
                for (; k < index.Length; k++)
                {
                    int at = pi[k];
                    dst[k] = at >= 0 ? src[at] : 0f;
                }
            }
        }
    }

    /// <summary>Col2Im through a map from <see cref="BuildIndex"/>: dx[c][index[k, p]] += cols[(c, k), p].</summary>
    public static unsafe void ScatterAdd(ReadOnlySpan<float> cols, int channels, ReadOnlySpan<int> index, Span<float> dx)
    {
        int plane = CheckIndexed(dx.Length, channels, index, cols.Length, nameof(dx));
        if (plane < 0) return;
        fixed (float* pd = dx) fixed (int* pi = index) fixed (float* pc = cols)
        {
            for (int c = 0; c < channels; c++)
            {
                float* dst = pd + (long)c * plane;
                float* src = pc + (long)c * index.Length;
                for (int k = 0; k < index.Length; k++)
                {
                    int at = pi[k];
                    if (at >= 0) dst[at] += src[k];
                }
            }
        }
    }

    /// <summary>
    /// Im2Col for a <see cref="ConvolutionPlan"/>: cols[(c, i, j), (n, oh, ow)] = x[c][n][oh·s − p + i][ow·s − p + j]
    /// or 0 in the padding. Rows that fit a vector move as whole rows (one load, one lane permutation, one store);
    /// other geometries and the scalar path gather through the plan's map.
    /// </summary>
    public static void Im2Col(ReadOnlySpan<float> x, int channels, ConvolutionPlan plan, Span<float> cols)
    {
        if (!CheckPlanned(x.Length, channels, plan, cols.Length, nameof(x))) return;
        if (MovesRows(plan))
            MoveRows(x, channels, plan, plan.Im2ColRows, cols, accumulate: false);
        else
            Gather(x, channels, plan.Index, cols);
    }

    /// <summary>
    /// Col2Im for a <see cref="ConvolutionPlan"/>, the adjoint of <see cref="Im2Col"/>: dx[c][n][ih][iw] += every
    /// cols entry that reads that pixel, added in ascending kernel offset exactly as <see cref="ScatterAdd"/> does,
    /// so both give the same bits. Rows that fit a vector are added as whole rows.
    /// </summary>
    public static void Col2Im(ReadOnlySpan<float> cols, int channels, ConvolutionPlan plan, Span<float> dx)
    {
        if (!CheckPlanned(dx.Length, channels, plan, cols.Length, nameof(dx))) return;
        if (MovesRows(plan))
            MoveRows(cols, channels, plan, plan.Col2ImRows, dx, accumulate: true);
        else
            ScatterAdd(cols, channels, plan.Index, dx);
    }

    /// <summary>Whether this thread's path and the plan's geometry take <see cref="MoveRows"/>.</summary>
    private static bool MovesRows(ConvolutionPlan plan) => Simd.Current == SimdPath.Vector512 && plan.RowsFit && Avx512F.IsSupported;

    private static bool CheckPlanned(int imageLength, int channels, ConvolutionPlan plan, int colsLength, string imageName)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Guard.NonNegative(channels, nameof(channels));
        Guard.Product(imageLength, channels, "channels", plan.Plane, "image values per channel of the plan", imageName);
        Guard.Product(colsLength, channels, "channels", plan.Index.Length, "lowered values per channel of the plan", "cols");
        return channels > 0;
    }

    /// <summary>
    /// Both directions of the lowering row by row. Im2Col (accumulate false): each output row of each (c, i, j) is
    /// the image row oh·s − p + i permuted by the table of kernel column j (zero above and below the image).
    /// Col2Im (accumulate true): the same rows read backwards, each permuted into its image row and added to it.
    /// Loads and stores are masked to the row, so nothing outside it is read or written (a thread's neighbour
    /// rows may belong to another thread's channels).
    /// </summary>
    private static unsafe void MoveRows(ReadOnlySpan<float> source, int channels, ConvolutionPlan plan, int[] table,
        Span<float> destination, bool accumulate)
    {
        int n = plan.Batch, h = plan.Height, w = plan.Width, oh = plan.OutH, ow = plan.OutW;
        int kh = plan.KernelH, kw = plan.KernelW, stride = plan.Stride, padding = plan.Padding, columns = plan.Columns;
        var imageRow = FirstLanes(w);
        var loweredRow = FirstLanes(ow);
        fixed (float* ps = source, pd = destination) fixed (int* pt = table)
        {
            // The image and the lowered matrix, whichever is source and which destination.
            float* image = accumulate ? pd : ps, lowered = accumulate ? ps : pd;
            for (int c = 0; c < channels; c++)
            for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++)
            {
                var control = Vector512.Load(pt + 2 * j * 16);
                var keep = Vector512.Load(pt + (2 * j + 1) * 16).AsSingle();
                float* loweredRows = lowered + ((long)(c * kh + i) * kw + j) * columns;
                for (int b = 0; b < n; b++)
                for (int r = 0; r < oh; r++)
                {
                    int ih = r * stride - padding + i;
                    float* row = loweredRows + (b * oh + r) * ow;
                    if ((uint)ih >= (uint)h)
                    {
                        if (!accumulate) Avx512F.MaskStore(row, loweredRow, Vector512<float>.Zero);
                        continue;
                    }
                    float* pixels = image + ((long)(c * n + b) * h + ih) * w;
                    if (!accumulate)
                    {
                        var moved = Avx512F.PermuteVar16x32(Avx512F.MaskLoad(pixels, imageRow, Vector512<float>.Zero), control) & keep;
                        Avx512F.MaskStore(row, loweredRow, moved);
                    }
                    else
                    {
                        var moved = Avx512F.PermuteVar16x32(Avx512F.MaskLoad(row, loweredRow, Vector512<float>.Zero), control);
                        Avx512F.MaskStore(pixels, keep, Avx512F.MaskLoad(pixels, keep, Vector512<float>.Zero) + moved);
                    }
                }
            }
        }
    }

    private static Vector512<float> FirstLanes(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>Checks sizes and that every index lies inside a channel (the loops use raw pointers);
    /// returns the channel size, or −1 when there is nothing to do.</summary>
    private static int CheckIndexed(int imageLength, int channels, ReadOnlySpan<int> index, int colsLength, string imageName)
    {
        Guard.NonNegative(channels, nameof(channels));
        Guard.Product(colsLength, channels, "channels", index.Length, "index entries", "cols");
        if (channels == 0 || index.Length == 0) return -1;
        int plane = imageLength / channels;
        Guard.Product(imageLength, channels, "channels", plane, "channel size", imageName);
        int max = System.Numerics.Tensors.TensorPrimitives.Max(index);
        if (max >= plane)
            throw new ArgumentException($"index holds {max}, outside a channel of {plane} values (built for another geometry?).", nameof(index));
        return plane;
    }

    /// <summary>Output size of a convolution, (H + 2p − k)/s + 1; throws if the kernel does not fit.</summary>
    public static int OutputSize(int size, int kernel, int stride, int padding)
    {
        Guard.Positive(kernel, nameof(kernel));
        Guard.Positive(stride, nameof(stride));
        Guard.NonNegative(padding, nameof(padding));
        int span = size + 2 * padding - kernel;
        if (span < 0)
            throw new ArgumentException($"Kernel {kernel} does not fit input {size} with padding {padding}.", nameof(kernel));
        return span / stride + 1;
    }
}
