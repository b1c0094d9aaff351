using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>Max pooling without padding (PyTorch's MaxPool2d(size, stride, ceil_mode)) on channel-major input.</summary>
public sealed class MaxPool2dOp : IBackward
{
    private Tensor x = null!;
    private int[] argmax = [];
    private readonly int[] outShape = new int[4];

    /// <summary>The pooled output, [N, C, OH, OW] channel-major; reused between calls.</summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0, 0, 0);

    /// <summary>Pools <paramref name="input"/> with size×size windows every <paramref name="stride"/>; with
    /// <paramref name="ceilMode"/> a last window that runs past the edge pools the part inside.</summary>
    public Tensor Forward(Tensor input, int size, int stride, Tape? tape, bool ceilMode = false)
    {
        if (input.Layout != TensorLayout.ChannelMajor || input.Rank != 4)
            throw new ArgumentException($"MaxPool2d expects a channel-major [N, C, H, W] input, got {input}.", nameof(input));
        if (input.Dim(2) < size || input.Dim(3) < size)
            throw new ArgumentException($"MaxPool2d window {size} is larger than input {input}.", nameof(input));
        int outH = Pooling.OutputSize(input.Dim(2), size, stride, ceilMode), outW = Pooling.OutputSize(input.Dim(3), size, stride, ceilMode);
        x = input;
        outShape[0] = input.Dim(0); outShape[1] = input.Dim(1); outShape[2] = outH; outShape[3] = outW;
        Output.Reshape(outShape, requiresGrad: true);
        Output.Layout = TensorLayout.ChannelMajor;
        if (argmax.Length < Output.Length) argmax = new int[Output.Length];
        Pooling.MaxPool(input.Values, input.Dim(1), input.Dim(0), input.Dim(2), input.Dim(3), size, stride, Output.Values,
            argmax.AsSpan(0, Output.Length), ceilMode);
        tape?.Record(this, Output);
        return Output;
    }

    /// <summary>Routes each output gradient to the input element that was the window's max.</summary>
    public void Backward()
    {
        if (x.RequiresGrad) Pooling.MaxPoolBackward(Output.Grad, argmax.AsSpan(0, Output.Length), x.Grad);
    }
}
