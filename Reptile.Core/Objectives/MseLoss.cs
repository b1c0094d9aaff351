using Reptile.Autograd;

namespace Reptile.Objectives;

/// <summary>Mean squared error against <see cref="Target"/> (same number of values as the prediction).</summary>
public sealed class MseLoss : Loss
{
    private readonly MseLossOp op = new();

    public Tensor Target { get; set; } = Tensor.Zeros(false, 0);

    public override Tensor Forward(Tensor prediction, Tape? tape) => op.Forward(prediction, Target, tape);
}
