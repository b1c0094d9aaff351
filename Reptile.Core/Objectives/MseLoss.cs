using Reptile.Autograd;

namespace Reptile.Objectives;

/// <summary>Mean squared error against <see cref="Target"/> (same number of values as the prediction).</summary>
public sealed class MseLoss : Loss
{
    private readonly MseLossOp op = new();

    /// <summary>The wanted values for the next prediction (as many values as it has).</summary>
    public Tensor Target { get; set; } = Tensor.Zeros(false, 0);

    /// <summary>mean((prediction − <see cref="Target"/>)²) over all values.</summary>
    /// <exception cref="ArgumentException">The prediction and the target differ in length.</exception>
    public override Tensor Forward(Tensor prediction, Tape? tape) => op.Forward(prediction, Target, tape);
}
