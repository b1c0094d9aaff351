using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>y = tanh(x); dx += dy·(1 − y²).</summary>
public sealed class TanhOp : IBackward
{
    private Tensor x = null!;

    public Tensor Output { get; } = Tensor.Zeros(true, 0);

    public Tensor Forward(Tensor input, Tape? tape)
    {
        x = input;
        Output.Reshape(input.Shape, requiresGrad: true);
        Output.Layout = input.Layout;
        Activations.Tanh(input.Values, Output.Values);
        tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (x.RequiresGrad) Activations.TanhBackward(Output.Values, Output.Grad, x.Grad);
    }
}
