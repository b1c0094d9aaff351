using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>y = max(x, 0); dx += dy where y > 0.</summary>
public sealed class ReluOp : IBackward
{
    private Tensor x = null!;

    public Tensor Output { get; } = Tensor.Zeros(true, 0);

    public Tensor Forward(Tensor input, Tape? tape)
    {
        x = input;
        Output.Reshape(input.Shape, requiresGrad: true);
        Output.Layout = input.Layout;
        Activations.Relu(input.Values, Output.Values);
        tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (x.RequiresGrad) Activations.ReluBackward(Output.Values, Output.Grad, x.Grad);
    }
}
