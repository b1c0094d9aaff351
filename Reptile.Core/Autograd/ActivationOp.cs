using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// An elementwise activation y = f(x) whose derivative is a function of y (tanh, ReLU): the forward and
/// backward kernels are the only difference between them.
/// </summary>
public abstract class ActivationOp : IBackward
{
    private Tensor x = null!;

    /// <summary>
    /// The output of the last <see cref="Forward"/>: one buffer reused by every call (copy what must outlive the next
    /// one).
    /// </summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 0);

    /// <summary>
    /// Applies the activation to <paramref name="input"/> (any shape and layout, kept by the output) and records the
    /// op on <paramref name="tape"/> when one is given.
    /// </summary>
    /// <param name="input">The values to activate; this op keeps a reference to them until its backward has
    /// run.</param>
    /// <param name="tape">The tape to record on, or null for a forward pass without gradients.</param>
    /// <returns><see cref="Output"/>.</returns>
    public Tensor Forward(Tensor input, Tape? tape)
    {
        x = input;
        Output.ReshapeLike(input, requiresGrad: true);
        WorkerPool.For(input.Length, Grain, input.Length, new ApplyRange(this));
        tape?.Record(this, Output);
        return Output;
    }

    /// <summary>
    /// Accumulates dy·f′ into the input's gradient (nothing when the input does not track gradients).
    /// </summary>
    public void Backward()
    {
        if (x.RequiresGrad)
            WorkerPool.For(x.Length, Grain, 2L * x.Length, new AccumulateRange(this));
    }

    /// <summary>Split points fall on whole vectors.</summary>
    private const int Grain = 64;

    private readonly struct ApplyRange(ActivationOp op) : IRangeBody
    {
        public void Run(int from, int to) => op.Apply(op.x.Values[from..to], op.Output.Values[from..to]);
    }

    private readonly struct AccumulateRange(ActivationOp op) : IRangeBody
    {
        public void Run(int from, int to) => op.AccumulateGradient(op.Output.Values[from..to], op.Output.Grad[from..to], op.x.Grad[from..to]);
    }

    /// <summary>y = f(x).</summary>
    protected abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx += dy · f′ expressed through y.</summary>
    protected abstract void AccumulateGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);
}
