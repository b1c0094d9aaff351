namespace Reptile.Kernels;

/// <summary>
/// Lowering of a 2-D convolution to one matrix product. x is channel-major [C][N][H][W]; cols is
/// (C·kh·kw) × (N·OH·OW) row-major, row (c·kh + i)·kw + j, column (n·OH + oh)·OW + ow holding
/// x[c][n][oh·s − p + i][ow·s − p + j], or 0 in the zero padding.
/// </summary>
public static class Convolution
{
    public static void Im2Col(ReadOnlySpan<float> x, int channels, int batch, int height, int width,
        int kernelH, int kernelW, int stride, int padding, Span<float> cols)
    {
        var g = Geometry.Create(x.Length, cols.Length, channels, batch, height, width, kernelH, kernelW, stride, padding, nameof(x), nameof(cols));
        int plane = height * width, outPlane = g.OH * g.OW, colWidth = batch * outPlane;
        for (int c = 0; c < channels; c++)
        for (int i = 0; i < kernelH; i++)
        for (int j = 0; j < kernelW; j++)
        {
            var row = cols.Slice(((c * kernelH + i) * kernelW + j) * colWidth, colWidth);
            // Output columns whose input column ow·s − p + j lies inside [0, width).
            var (owLo, owHi) = g.ValidRange(j, width, g.OW);
            for (int n = 0; n < batch; n++)
            {
                var src = x.Slice((c * batch + n) * plane, plane);
                for (int oh = 0; oh < g.OH; oh++)
                {
                    var dst = row.Slice((n * g.OH + oh) * g.OW, g.OW);
                    int ih = oh * stride - padding + i;
                    if ((uint)ih >= (uint)height || owLo >= owHi)
                    {
                        dst.Clear();
                        continue;
                    }
                    dst[..owLo].Clear();
                    dst[owHi..].Clear();
                    int iw0 = owLo * stride - padding + j;
                    var srcRow = src.Slice(ih * width, width);
                    if (stride == 1)
                        srcRow.Slice(iw0, owHi - owLo).CopyTo(dst[owLo..owHi]);
                    else
                        for (int ow = owLo, iw = iw0; ow < owHi; ow++, iw += stride) dst[ow] = srcRow[iw];
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: dx += the scatter of cols back onto the input.</summary>
    public static void Col2Im(ReadOnlySpan<float> cols, int channels, int batch, int height, int width,
        int kernelH, int kernelW, int stride, int padding, Span<float> dx)
    {
        var g = Geometry.Create(dx.Length, cols.Length, channels, batch, height, width, kernelH, kernelW, stride, padding, nameof(dx), nameof(cols));
        int plane = height * width, outPlane = g.OH * g.OW, colWidth = batch * outPlane;
        for (int c = 0; c < channels; c++)
        for (int i = 0; i < kernelH; i++)
        for (int j = 0; j < kernelW; j++)
        {
            var row = cols.Slice(((c * kernelH + i) * kernelW + j) * colWidth, colWidth);
            var (owLo, owHi) = g.ValidRange(j, width, g.OW);
            if (owLo >= owHi) continue;
            for (int n = 0; n < batch; n++)
            {
                var dst = dx.Slice((c * batch + n) * plane, plane);
                for (int oh = 0; oh < g.OH; oh++)
                {
                    int ih = oh * stride - padding + i;
                    if ((uint)ih >= (uint)height) continue;
                    var src = row.Slice((n * g.OH + oh) * g.OW + owLo, owHi - owLo);
                    int iw0 = owLo * stride - padding + j;
                    var dstRow = dst.Slice(ih * width, width);
                    if (stride == 1)
                    {
                        var seg = dstRow.Slice(iw0, src.Length);
                        ElementwiseLoop.Apply(default(AddOperator), seg, src, seg);
                    }
                    else
                        for (int k = 0, iw = iw0; k < src.Length; k++, iw += stride) dstRow[iw] += src[k];
                }
            }
        }
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

    private readonly record struct Geometry(int OH, int OW, int Stride, int Padding)
    {
        public static Geometry Create(int xLength, int colsLength, int channels, int batch, int height, int width,
            int kernelH, int kernelW, int stride, int padding, string xName, string colsName)
        {
            Guard.NonNegative(channels, nameof(channels));
            Guard.NonNegative(batch, nameof(batch));
            Guard.NonNegative(height, nameof(height));
            Guard.NonNegative(width, nameof(width));
            int oh = OutputSize(height, kernelH, stride, padding);
            int ow = OutputSize(width, kernelW, stride, padding);
            long xLen = (long)channels * batch * height * width;
            if (xLen != xLength)
                throw new ArgumentException($"{xName} has length {xLength}, expected {xLen} (channels {channels} × batch {batch} × {height} × {width}).", xName);
            long colsLen = (long)channels * kernelH * kernelW * batch * oh * ow;
            if (colsLen != colsLength)
                throw new ArgumentException($"{colsName} has length {colsLength}, expected {colsLen} ({channels}·{kernelH}·{kernelW} rows × {batch}·{oh}·{ow} columns).", colsName);
            return new Geometry(oh, ow, stride, padding);
        }

        /// <summary>[lo, hi) of output positions whose input position o·s − p + k is within [0, size).</summary>
        public (int Lo, int Hi) ValidRange(int k, int size, int outSize)
        {
            int offset = k - Padding; // input = o·s + offset
            int lo = offset >= 0 ? 0 : (-offset + Stride - 1) / Stride;
            int hi = size - offset <= 0 ? 0 : Math.Min(outSize, (size - offset - 1) / Stride + 1);
            return (Math.Min(lo, outSize), Math.Max(hi, Math.Min(lo, outSize)));
        }
    }
}
