using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>loss = mean((prediction − target)²).</summary>
public sealed class MseLossOp : IBackward
{
    private Tensor prediction = null!, target = null!;

    /// <summary>The loss of the last <see cref="Forward"/>: a one-value tensor reused by every call.</summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 1);

    /// <summary>
    /// mean((prediction − target)²) over all values, recording the op on <paramref name="tape"/> when one is given
    /// (only the prediction gets a gradient).
    /// </summary>
    /// <param name="prediction">The model's output.</param>
    /// <param name="target">The wanted values, as many as the prediction's.</param>
    /// <param name="tape">The tape to record on, or null.</param>
    /// <returns><see cref="Output"/>.</returns>
    /// <exception cref="ArgumentException">The two differ in length.</exception>
    public Tensor Forward(Tensor prediction, Tensor target, Tape? tape)
    {
        if (prediction.Length != target.Length)
            throw new ArgumentException($"MSE: prediction {prediction} and target {target} differ in size.");
        this.prediction = prediction; this.target = target;
        Output.Values[0] = Losses.MeanSquaredError(prediction.Values, target.Values);
        tape?.Record(this, Output);
        return Output;
    }

    /// <summary>Adds 2·(prediction − target)/n, times the loss's gradient, into the prediction's gradient.</summary>
    public void Backward()
    {
        if (prediction.RequiresGrad)
            Losses.MeanSquaredErrorBackward(prediction.Values, target.Values, Output.Grad[0], prediction.Grad);
    }
}
