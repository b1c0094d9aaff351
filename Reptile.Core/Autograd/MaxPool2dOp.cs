using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>Max pooling without padding (PyTorch's MaxPool2d(size, stride, ceil_mode)) on channel-major or
/// position-major input.</summary>
public sealed unsafe class MaxPool2dOp : IBackward
{
    private Tensor x = null!;
    private int[] argmax = [];
    private readonly int[] outShape = new int[4];
    private int size, stride;

    /// <summary>The pooled output, [N, C, OH, OW] laid out as the input; reused between calls.</summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0, 0, 0);

    /// <summary>Pools <paramref name="input"/> with size×size windows every <paramref name="stride"/>; with
    /// <paramref name="ceilMode"/> a last window that runs past the edge pools the part inside.</summary>
    public Tensor Forward(Tensor input, int size, int stride, Tape? tape, bool ceilMode = false)
    {
        if (input.Layout == TensorLayout.RowMajor || input.Rank != 4)
            throw new ArgumentException($"MaxPool2d expects a channel-major or position-major [N, C, H, W] input, got {input}.", nameof(input));
        if (input.Dim(2) < size || input.Dim(3) < size)
            throw new ArgumentException($"MaxPool2d window {size} is larger than input {input}.", nameof(input));
        int outH = Pooling.OutputSize(input.Dim(2), size, stride, ceilMode), outW = Pooling.OutputSize(input.Dim(3), size, stride, ceilMode);
        x = input;
        (this.size, this.stride) = (size, stride);
        outShape[0] = input.Dim(0); outShape[1] = input.Dim(1); outShape[2] = outH; outShape[3] = outW;
        if (input.Layout == TensorLayout.PositionMajor)
        {
            Output.ReshapeRows(outShape, requiresGrad: true);
            Output.Layout = TensorLayout.PositionMajor;
            if (argmax.Length < Output.Length) argmax = new int[Output.Length];
            WorkerPool.For(Output.Length / input.Dim(1), 16, (long)input.Length, new ForwardRows(this));
            tape?.Record(this, Output);
            return Output;
        }
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
        if (!x.RequiresGrad) return;
        if (x.Layout == TensorLayout.PositionMajor)
            WorkerPool.For((x.Dim(1) + 15) / 16, 1, 2L * Output.Length, new BackwardRows(this));
        else
            Pooling.MaxPoolBackward(Output.Grad, argmax.AsSpan(0, Output.Length), x.Grad);
    }

    /// <summary>Output positions [from, to): any cut gives the same values.</summary>
    private readonly struct ForwardRows(MaxPool2dOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            var (x, y) = (op.x, op.Output);
            fixed (float* px = x.Values, py = y.Values)
            fixed (int* a = op.argmax)
                Pooling.MaxPoolRows(px, x.Dim(1), x.Dim(2), x.Dim(3), y.Dim(2), y.Dim(3), op.size, op.stride, py, a, from, to);
        }
    }

    /// <summary>Runs of 16 channels: overlapping windows add into the same pixels, but never into the same channel
    /// from two threads.</summary>
    private readonly struct BackwardRows(MaxPool2dOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int channels = op.x.Dim(1);
            fixed (float* dy = op.Output.Grad, dx = op.x.Grad)
            fixed (int* a = op.argmax)
                Pooling.MaxPoolRowsBackward(dy, a, op.Output.Length / channels, channels, dx, from * 16, Math.Min(channels, to * 16));
        }
    }
}
