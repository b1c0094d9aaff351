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
        unsafe { IntraOpParallelism.For(input.Length, Grain, input.Length, &ApplyRange, this); }
        tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (x.RequiresGrad)
            unsafe { IntraOpParallelism.For(x.Length, Grain, 2L * x.Length, &AccumulateRange, this); }
    }

    /// <summary>Split points fall on whole vectors.</summary>
    private const int Grain = 64;

    private static void ApplyRange(object self, int from, int to)
    {
        var op = (ActivationOp)self;
        op.Apply(op.x.Values[from..to], op.Output.Values[from..to]);
    }

    private static void AccumulateRange(object self, int from, int to)
    {
        var op = (ActivationOp)self;
        op.AccumulateGradient(op.Output.Values[from..to], op.Output.Grad[from..to], op.x.Grad[from..to]);
    }

    /// <summary>y = f(x).</summary>
    protected abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx += dy · f′ expressed through y.</summary>
    protected abstract void AccumulateGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);
}
