using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>y = max(x, 0); dx += dy where y > 0.</summary>
public sealed class ReluOp : ActivationOp
{
    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => Activations.Relu(x, y);
    /// <inheritdoc/>
    protected override void AccumulateGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Activations.ReluBackward(y, dy, dx);
}
