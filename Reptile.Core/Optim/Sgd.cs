using Reptile.Kernels;

namespace Reptile.Optim;

/// <summary>Plain stochastic gradient descent: w ← w − lr·g.</summary>
public sealed class Sgd(float learningRate) : Optimizer
{
    public float LearningRate { get; } = learningRate > 0 ? learningRate : throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be positive");

    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients) =>
        Optimizers.Sgd(parameters, gradients, LearningRate);

    public override Optimizer Clone() => new Sgd(LearningRate);

    public override string ToString() => $"SGD(lr {LearningRate})";
}
