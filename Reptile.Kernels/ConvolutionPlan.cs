namespace Reptile.Kernels;

/// <summary>
/// The geometry of one convolution lowering (batch, image, kernel, stride, padding), with what
/// <see cref="Convolution.Im2Col"/> and <see cref="Convolution.Col2Im"/> need to move data for it, built once:
/// the gather map of <see cref="Convolution.BuildIndex"/> (any geometry), and, when a whole image row and a whole
/// output row each fit in one Vector512, one lane permutation per kernel column in each direction, so a row of the
/// lowering is one masked load, one permute and one masked store (the model's 14-pixel rows).
/// </summary>
public sealed class ConvolutionPlan
{
    /// <summary>Images in the batch (N).</summary>
    public int Batch { get; }
    /// <summary>Input image height in pixels (H), before padding.</summary>
    public int Height { get; }
    /// <summary>Input image width in pixels (W), before padding.</summary>
    public int Width { get; }
    /// <summary>Kernel height in pixels.</summary>
    public int KernelH { get; }
    /// <summary>Kernel width in pixels.</summary>
    public int KernelW { get; }
    /// <summary>Step between kernel positions, in pixels, both directions.</summary>
    public int Stride { get; }
    /// <summary>Zero pixels added on each side of the image, both directions.</summary>
    public int Padding { get; }
    /// <summary>Output height: (H + 2·padding − kernelH) / stride + 1.</summary>
    public int OutH { get; }
    /// <summary>Output width: (W + 2·padding − kernelW) / stride + 1.</summary>
    public int OutW { get; }

    /// <summary>Columns of the lowered matrix: N·OH·OW output positions.</summary>
    public int Columns => Batch * OutH * OutW;

    /// <summary>Values of one channel of the image, N·H·W.</summary>
    public int Plane => Batch * Height * Width;

    /// <summary>The gather map (kh·kw rows of <see cref="Columns"/>); see <see cref="Convolution.BuildIndex"/>.</summary>
    public int[] Index { get; }

    // Per kernel column j, 16 lanes of control then 16 of keep mask: im2col takes output lane ow from input lane
    // ow·s − p + j; col2im adds into input lane iw the output lane (iw + p − j)/s when that is a whole output column.
    internal readonly int[] Im2ColRows = [], Col2ImRows = [];

    private int[]? directRows;

    /// <summary>The row table of <see cref="DirectConvolution"/>, built the first time a direct product asks.</summary>
    internal int[] DirectRows => directRows ??= DirectConvolution.RowTable(this);

    /// <summary>
    /// Plans the lowering of N images of H×W pixels for a kernelH×kernelW kernel (one channel's geometry: channels
    /// only repeat it). Costs O(kernelH·kernelW·N·OH·OW) once; reuse the plan for every batch of that shape.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A batch, image or kernel size or a stride below 1, or a negative
    /// padding.</exception>
    /// <exception cref="ArgumentException">The kernel does not fit the padded image.</exception>
    public ConvolutionPlan(int batch, int height, int width, int kernelH, int kernelW, int stride, int padding)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(height, nameof(height));
        Guard.Positive(width, nameof(width));
        (Batch, Height, Width, KernelH, KernelW, Stride, Padding) = (batch, height, width, kernelH, kernelW, stride, padding);
        OutH = Convolution.OutputSize(height, kernelH, stride, padding);
        OutW = Convolution.OutputSize(width, kernelW, stride, padding);
        Index = new int[kernelH * kernelW * Columns];
        Convolution.BuildIndex(batch, height, width, kernelH, kernelW, stride, padding, Index);
        if (RowsFit) (Im2ColRows, Col2ImRows) = RowPermutations();
    }

    /// <summary>Whether this plan was built for exactly this geometry (so a cached plan can be reused).</summary>
    public bool Matches(int batch, int height, int width, int kernelH, int kernelW, int stride, int padding) =>
        (Batch, Height, Width, KernelH, KernelW, Stride, Padding) == (batch, height, width, kernelH, kernelW, stride, padding);

    /// <summary>
    /// Whether the lowering moves whole rows: image and output rows fit 16 lanes. Rows of 8 pixels or fewer
    /// (the model's 7- and 4-pixel images) stay with the gather map: measured here, the per-row work of
    /// masked moves then costs more than 8-wide hardware gathers across row boundaries.
    /// </summary>
    internal bool RowsFit => Width is > 8 and <= 16 && OutW <= 16;

    private (int[] Im2Col, int[] Col2Im) RowPermutations()
    {
        const int lanes = 16;
        var im2col = new int[KernelW * 2 * lanes];
        var col2im = new int[KernelW * 2 * lanes];
        for (int j = 0; j < KernelW; j++)
        for (int lane = 0; lane < lanes; lane++)
        {
            int source = lane * Stride - Padding + j;
            bool valid = lane < OutW && source >= 0 && source < Width;
            im2col[(2 * j) * lanes + lane] = valid ? source : 0;
            im2col[(2 * j + 1) * lanes + lane] = valid ? -1 : 0;

            int t = lane + Padding - j;
            bool reads = lane < Width && t >= 0 && t % Stride == 0 && t / Stride < OutW;
            col2im[(2 * j) * lanes + lane] = reads ? t / Stride : 0;
            col2im[(2 * j + 1) * lanes + lane] = reads ? -1 : 0;
        }
        return (im2col, col2im);
    }

    /// <summary>The geometry, e.g. "5×28×28 image, 3×3 kernel, stride 2, padding 1 → 14×14".</summary>
    public override string ToString() =>
        $"{Batch}×{Height}×{Width} image, {KernelH}×{KernelW} kernel, stride {Stride}, padding {Padding} → {OutH}×{OutW}";
}
