using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>y = tanh(x); dx += dy·(1 − y²).</summary>
public sealed class TanhOp : ActivationOp
{
    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => Activations.Tanh(x, y);
    /// <inheritdoc/>
    protected override void AccumulateGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Activations.TanhBackward(y, dy, dx);
}
