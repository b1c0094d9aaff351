using Reptile.Autograd;

namespace Reptile.Layers;

public sealed class Relu : Layer
{
    private readonly ReluOp op = new();
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, tape);
    public override Layer CloneConfiguration() => new Relu();
    public override string ToString() => "ReLU()";
}
