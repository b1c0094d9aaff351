using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>PyTorch's nn.MaxPool2d(size, stride) without padding (floor mode).</summary>
public sealed class MaxPool2d : Layer
{
    private readonly ChannelMajorOp layout = new();
    private readonly MaxPool2dOp op = new();

    /// <summary>Side of the square pooling window, in pixels.</summary>
    public int Size { get; }
    /// <summary>Step between windows, in pixels.</summary>
    public int Stride { get; }

    /// <summary>Max pooling over <paramref name="size"/>×<paramref name="size"/> windows.</summary>
    /// <param name="size">Window side in pixels, at least 1.</param>
    /// <param name="stride">Step between windows, at least 1; by default the window size (windows do not
    /// overlap).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or stride below 1.</exception>
    public MaxPool2d(int size, int? stride = null)
    {
        Size = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size));
        Stride = stride ?? size;
        if (Stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride));
    }

    /// <summary>
    /// [N, C, H, W] → [N, C, (H − size) / stride + 1, (W − size) / stride + 1], the maximum of each window.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 4-d, or the window is larger than the image.</exception>
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(layout.Apply(input, tape), Size, Stride, tape);

    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new MaxPool2d(Size, Stride);

    /// <inheritdoc/>
    public override string ToString() => $"MaxPool2d(kernel_size={Size}, stride={Stride})";
}
