using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>loss = mean((prediction − target)²).</summary>
public sealed class MseLossOp : IBackward
{
    private Tensor prediction = null!, target = null!;

    public Tensor Output { get; } = Tensor.Zeros(true, 1);

    public Tensor Forward(Tensor prediction, Tensor target, Tape? tape)
    {
        if (prediction.Length != target.Length)
            throw new ArgumentException($"MSE: prediction {prediction} and target {target} differ in size.");
        this.prediction = prediction; this.target = target;
        Output.Values[0] = Losses.MeanSquaredError(prediction.Values, target.Values);
        tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (prediction.RequiresGrad)
            Losses.MeanSquaredErrorBackward(prediction.Values, target.Values, Output.Grad[0], prediction.Grad);
    }
}
