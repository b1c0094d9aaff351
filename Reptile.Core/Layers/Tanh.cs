using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>PyTorch's nn.Tanh: y = tanh(x) elementwise, shape and layout kept. No parameters.</summary>
public sealed class Tanh : Layer
{
    private readonly TanhOp op = new();
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, tape);
    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new Tanh();
    /// <inheritdoc/>
    public override string ToString() => "Tanh()";
}
