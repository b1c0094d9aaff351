using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>PyTorch's nn.MaxPool2d(size, stride) without padding (floor mode).</summary>
public sealed class MaxPool2d : Layer
{
    private readonly ChannelMajorOp layout = new();
    private readonly MaxPool2dOp op = new();

    public int Size { get; }
    public int Stride { get; }

    public MaxPool2d(int size, int? stride = null)
    {
        Size = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size));
        Stride = stride ?? size;
        if (Stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride));
    }

    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(layout.Apply(input, tape), Size, Stride, tape);

    public override Layer CloneConfiguration() => new MaxPool2d(Size, Stride);

    public override string ToString() => $"MaxPool2d(kernel_size={Size}, stride={Stride})";
}
