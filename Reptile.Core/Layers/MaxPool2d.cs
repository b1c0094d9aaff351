using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>PyTorch's nn.MaxPool2d(size, stride, ceil_mode) without padding.</summary>
public sealed class MaxPool2d : Layer
{
    private readonly ChannelMajorOp layout = new();
    private readonly MaxPool2dOp op = new();

    /// <summary>The window's height and width.</summary>
    public int Size { get; }

    /// <summary>The step between windows (the window size unless given).</summary>
    public int Stride { get; }

    /// <summary>
    /// PyTorch's ceil_mode: the output size is rounded up, so a last window that runs past the edge pools the
    /// part inside. With size = stride = 2 this is TensorFlow's max_pooling2d(padding='same'), which
    /// supervised-reptile's Mini-ImageNet model uses.
    /// </summary>
    public bool CeilMode { get; }

    /// <summary>A max pool of size×size windows every <paramref name="stride"/> (default: the size).</summary>
    public MaxPool2d(int size, int? stride = null, bool ceilMode = false)
    {
        Size = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size));
        Stride = stride ?? size;
        if (Stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride));
        CeilMode = ceilMode;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tape? tape) =>
        op.Forward(input.Layout == TensorLayout.PositionMajor ? input : layout.Apply(input, tape), Size, Stride, tape, CeilMode);

    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new MaxPool2d(Size, Stride, CeilMode);

    /// <summary>PyTorch's repr: <c>MaxPool2d(kernel_size=2, stride=2)</c>, with <c>ceil_mode=True</c> when set.</summary>
    public override string ToString() => CeilMode
        ? $"MaxPool2d(kernel_size={Size}, stride={Stride}, ceil_mode=True)"
        : $"MaxPool2d(kernel_size={Size}, stride={Stride})";
}
