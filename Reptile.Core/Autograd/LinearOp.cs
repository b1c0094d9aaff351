using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>y = x·Wᵀ + b with W [out, in] (PyTorch's layout); x is [N, in] (trailing dims flattened).</summary>
public sealed class LinearOp : IBackward
{
    private Tensor x = null!, weight = null!, bias = null!;
    private int rows, inFeatures, outFeatures;
    private readonly int[] outShape = new int[2];

    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0);

    public Tensor Forward(Tensor input, Tensor weight, Tensor bias, Tape? tape)
    {
        outFeatures = weight.Dim(0);
        inFeatures = weight.Dim(1);
        rows = input.Rank == 0 ? 0 : input.Dim(0);
        if (input.Layout != TensorLayout.RowMajor || input.Rank < 2 || input.Length != rows * inFeatures)
            throw new ArgumentException($"Linear expects input [N, {inFeatures}] (row-major), got {input}.", nameof(input));
        if (bias.Length != outFeatures)
            throw new ArgumentException($"Linear bias has shape {bias.ShapeString}, expected [{outFeatures}].", nameof(bias));
        x = input; this.weight = weight; this.bias = bias;

        outShape[0] = rows; outShape[1] = outFeatures;
        Output.Reshape(outShape, requiresGrad: true);
        var y = Output.Values;
        Gemm.Multiply(x.Values, false, weight.Values, true, y, rows, outFeatures, inFeatures);
        Bias.AddToRows(y, bias.Values, rows);
        tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        var dy = Output.Grad;
        if (weight.RequiresGrad)
            Gemm.Multiply(dy, true, x.Values, false, weight.Grad, outFeatures, inFeatures, rows, accumulate: true);
        if (bias.RequiresGrad)
            Bias.SumRows(dy, bias.Grad, rows);
        if (x.RequiresGrad)
            Gemm.Multiply(dy, false, weight.Values, false, x.Grad, rows, inFeatures, outFeatures, accumulate: true);
    }
}
