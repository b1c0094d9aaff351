using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>y = x·Wᵀ + b with W [out, in] (PyTorch's layout); x is [N, in] (trailing dims flattened).</summary>
public sealed class LinearOp : IBackward
{
    private Tensor x = null!, weight = null!, bias = null!;
    private int rows, inFeatures, outFeatures;
    private readonly int[] outShape = new int[2];

    /// <summary>The output of the last <see cref="Forward(Tensor, Tensor, Tensor, Tape?)"/>, [N, out]: one buffer reused by every call.</summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0);

    /// <summary>Computes x·Wᵀ + b, recording the op on <paramref name="tape"/> when one is given.</summary>
    /// <param name="input">Row-major [N, in] (or [N, …] whose trailing dimensions multiply to in).</param>
    /// <param name="weight">[out, in], PyTorch's layout.</param>
    /// <param name="bias">[out].</param>
    /// <param name="tape">The tape to record on, or null.</param>
    /// <returns><see cref="Output"/>.</returns>
    /// <exception cref="ArgumentException">The input is not row-major or not [N, in], or the bias is not
    /// [out].</exception>
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

    /// <summary>
    /// Accumulates the gradients of the input, weight and bias from the output's gradient (each only when it tracks
    /// gradients).
    /// </summary>
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
