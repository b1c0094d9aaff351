using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>[N, C, H, W] → [N, C·H·W] in PyTorch's order, so a following Linear layer matches nn.Linear weights.</summary>
public sealed class Flatten : Layer
{
    private readonly FlattenOp op = new();
    /// <summary>[N, …] → [N, rest], row-major in C, H, W order whatever the input's layout.</summary>
    /// <exception cref="ArgumentException">The input has fewer than 2 dimensions.</exception>
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, tape);
    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new Flatten();
    /// <inheritdoc/>
    public override string ToString() => "Flatten()";
}
