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
    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int KernelH { get; }
    public int KernelW { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int OutH { get; }
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

    public override string ToString() =>
        $"{Batch}×{Height}×{Width} image, {KernelH}×{KernelW} kernel, stride {Stride}, padding {Padding} → {OutH}×{OutW}";
}
