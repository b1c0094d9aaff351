using Reptile.Kernels;

namespace Reptile.Optim;

/// <summary>Plain stochastic gradient descent: w ← w − lr·g.</summary>
public sealed class Sgd(float learningRate) : Optimizer
{
    /// <summary>Step size: w ← w − lr·g. Positive.</summary>
    public float LearningRate { get; } = learningRate > 0 ? learningRate : throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be positive");

    /// <summary>w ← w − lr·g over the whole buffer.</summary>
    /// <exception cref="ArgumentException">The buffers differ in length.</exception>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients) =>
        Optimizers.Sgd(parameters, gradients, LearningRate);

    /// <inheritdoc/>
    public override Optimizer Clone() => new Sgd(LearningRate);

    /// <summary>The setting, e.g. "SGD(lr 0.02)".</summary>
    public override string ToString() => $"SGD(lr {LearningRate})";
}
