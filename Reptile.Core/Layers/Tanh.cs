using Reptile.Autograd;

namespace Reptile.Layers;

public sealed class Tanh : Layer
{
    private readonly TanhOp op = new();
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, tape);
    public override Layer CloneConfiguration() => new Tanh();
    public override string ToString() => "Tanh()";
}
