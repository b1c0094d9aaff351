using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>PyTorch's nn.ReLU: y = max(x, 0) elementwise, shape and layout kept. No parameters.</summary>
public sealed class Relu : Layer
{
    private readonly ReluOp op = new();
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, tape);
    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new Relu();
    /// <inheritdoc/>
    public override string ToString() => "ReLU()";
}
