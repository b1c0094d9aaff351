using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>[N, C, H, W] → [N, C·H·W] in PyTorch's order, so a following Linear layer matches nn.Linear weights.</summary>
public sealed class Flatten : Layer
{
    private readonly FlattenOp op = new();
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, tape);
    public override Layer CloneConfiguration() => new Flatten();
    public override string ToString() => "Flatten()";
}
