namespace Reptile.Autograd;

/// <summary>
/// An elementwise activation y = f(x) whose derivative is a function of y (tanh, ReLU): the forward and
/// backward kernels are the only difference between them.
/// </summary>
public abstract class ActivationOp : IBackward
{
    private Tensor x = null!;

    public Tensor Output { get; } = Tensor.Zeros(true, 0);

    public Tensor Forward(Tensor input, Tape? tape)
    {
        x = input;
        Output.Reshape(input.Shape, requiresGrad: true);
        Output.Layout = input.Layout;
        Apply(input.Values, Output.Values);
        tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (x.RequiresGrad) AccumulateGradient(Output.Values, Output.Grad, x.Grad);
    }

    /// <summary>y = f(x).</summary>
    protected abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx += dy · f′ expressed through y.</summary>
    protected abstract void AccumulateGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);
}
