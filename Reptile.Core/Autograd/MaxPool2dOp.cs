using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>Max pooling without padding (PyTorch's MaxPool2d(size, stride), floor mode) on channel-major input.</summary>
public sealed class MaxPool2dOp : IBackward
{
    private Tensor x = null!;
    private int[] argmax = [];
    private readonly int[] outShape = new int[4];

    /// <summary>
    /// The output of the last <see cref="Forward"/>, channel-major [N, C, OH, OW]: one buffer reused by every call.
    /// </summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0, 0, 0);

    /// <summary>
    /// Takes the maximum of each <paramref name="size"/>×<paramref name="size"/> window, windows
    /// <paramref name="stride"/> pixels apart (no padding; a partial window at the edge is dropped), recording the op on
    /// <paramref name="tape"/> when one is given.
    /// </summary>
    /// <param name="input">Channel-major [N, C, H, W].</param>
    /// <param name="size">Window side in pixels.</param>
    /// <param name="stride">Step between windows in pixels.</param>
    /// <param name="tape">The tape to record on, or null.</param>
    /// <returns><see cref="Output"/>.</returns>
    /// <exception cref="ArgumentException">The input is not channel-major 4-d, or the window is larger than the
    /// image.</exception>
    public Tensor Forward(Tensor input, int size, int stride, Tape? tape)
    {
        if (input.Layout != TensorLayout.ChannelMajor || input.Rank != 4)
            throw new ArgumentException($"MaxPool2d expects a channel-major [N, C, H, W] input, got {input}.", nameof(input));
        int outH = (input.Dim(2) - size) / stride + 1, outW = (input.Dim(3) - size) / stride + 1;
        if (input.Dim(2) < size || input.Dim(3) < size)
            throw new ArgumentException($"MaxPool2d window {size} is larger than input {input}.", nameof(input));
        x = input;
        outShape[0] = input.Dim(0); outShape[1] = input.Dim(1); outShape[2] = outH; outShape[3] = outW;
        Output.Reshape(outShape, requiresGrad: true);
        Output.Layout = TensorLayout.ChannelMajor;
        if (argmax.Length < Output.Length) argmax = new int[Output.Length];
        Pooling.MaxPool(input.Values, input.Dim(1), input.Dim(0), input.Dim(2), input.Dim(3), size, stride, Output.Values, argmax.AsSpan(0, Output.Length));
        tape?.Record(this, Output);
        return Output;
    }

    /// <summary>
    /// Routes each output gradient to the input position that held the window's maximum (added into the input's
    /// gradient).
    /// </summary>
    public void Backward()
    {
        if (x.RequiresGrad) Pooling.MaxPoolBackward(Output.Grad, argmax.AsSpan(0, Output.Length), x.Grad);
    }
}
