using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// 2-d convolution with PyTorch's semantics (weight [out, in, kh, kw], zero padding on every side). On the 512-bit
/// path with output channels in panels of 32 it takes the direct route (<see cref="DirectConvolution"/>: no lowering,
/// position-major output); otherwise im2col + one GEMM over the whole batch: on channel-major activations
/// Y[out × N·OH·OW] = W · cols.
/// </summary>
public sealed class Conv2dOp : IBackward
{
    private Tensor x = null!, weight = null!, bias = null!;
    private int batch, inChannels, height, width, outChannels, kernelH, kernelW, stride, padding;
    private float[] cols = [];
    // The route without lowering (DirectConvolution) and its buffers; chosen per forward.
    private readonly Conv2dDirect directRoute = new();
    private bool direct;
    /// <summary>Lowering plans of the geometries seen most recently (training and evaluation alternate batch sizes).</summary>
    private readonly ConvolutionPlan?[] plans = new ConvolutionPlan?[4];
    private ConvolutionPlan plan = null!;
    private readonly int[] outShape = new int[4];

    /// <summary>
    /// The output of the last <see cref="Forward"/>, [N, out, OH, OW]: position-major on the direct route, else
    /// channel-major; one buffer reused by every call.
    /// </summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0, 0, 0);

    /// <summary>
    /// Convolves <paramref name="input"/> with <paramref name="weight"/> and adds <paramref name="bias"/>, recording
    /// the op on <paramref name="tape"/> when one is given.
    /// </summary>
    /// <param name="input">Channel-major [N, C, H, W] activations, or position-major ones when the direct route
    /// applies (<see cref="TakesRows"/>).</param>
    /// <param name="weight">[out, C, kh, kw], PyTorch's layout.</param>
    /// <param name="bias">[out].</param>
    /// <param name="stride">Step between kernel positions in pixels, at least 1.</param>
    /// <param name="padding">Zero pixels on each side, at least 0.</param>
    /// <param name="tape">The tape to record on, or null for a forward pass without gradients.</param>
    /// <returns><see cref="Output"/>.</returns>
    /// <exception cref="ArgumentException">The input is not 4-d and channel-major (or position-major on the direct
    /// route), its channels do not match the weight, or the kernel does not fit the padded image.</exception>
    public Tensor Forward(Tensor input, Tensor weight, Tensor bias, int stride, int padding, Tape? tape)
    {
        direct = DirectConvolution.Applies(weight.Dim(0));
        if (input.Rank != 4 || !(input.Layout == TensorLayout.ChannelMajor ||
                                 input.Layout == TensorLayout.PositionMajor && TakesRows(weight.Dim(0), input.Dim(1))))
            throw new ArgumentException($"Conv2d expects a channel-major [N, C, H, W] input, got {input}.", nameof(input));
        (batch, inChannels, height, width) = (input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        (outChannels, kernelH, kernelW) = (weight.Dim(0), weight.Dim(2), weight.Dim(3));
        if (weight.Dim(1) != inChannels)
            throw new ArgumentException($"Conv2d weight {weight.ShapeString} expects {weight.Dim(1)} input channels, got input {input}.", nameof(input));
        this.stride = stride; this.padding = padding;
        if (height + 2 * padding < kernelH || width + 2 * padding < kernelW)
            throw new ArgumentException($"Conv2d kernel {kernelH}×{kernelW} with padding {padding} does not fit input {input}.", nameof(input));
        x = input; this.weight = weight; this.bias = bias;
        plan = Plan();

        outShape[0] = batch; outShape[1] = outChannels; outShape[2] = plan.OutH; outShape[3] = plan.OutW;
        if (direct)
        {
            Output.ReshapeRows(outShape, requiresGrad: true);
            Output.Layout = TensorLayout.PositionMajor;
            directRoute.Forward(input, weight.Values, bias.Values, plan, inChannels, outChannels, Output);
        }
        else
        {
            int patch = inChannels * kernelH * kernelW, positions = plan.Columns;
            var colSpan = Columns();
            ParallelKernels.Im2Col(input.Values, inChannels, plan, colSpan);
            Output.Reshape(outShape, requiresGrad: true);
            Output.Layout = TensorLayout.ChannelMajor;
            ParallelKernels.Gemm(weight.Values, false, colSpan, false, Output.Values, outChannels, positions, patch);
            WorkerPool.For(outChannels, 1, (long)outChannels * positions, new AddBias(this));
        }
        tape?.Record(this, Output);
        return Output;
    }

    /// <summary>Whether a convolution takes the direct route on this thread's path with input channels in whole
    /// panels, and so reads position-major inputs (and adds their gradient) in place.</summary>
    internal static bool TakesRows(int outChannels, int inChannels) =>
        DirectConvolution.Applies(outChannels) && DirectConvolution.InputGradientApplies(inChannels);

    /// <summary>The lowered matrix's buffer for the current geometry, allocated only by the routes that lower (the
    /// direct route of a 64-channel layer never needs its 1.1 MB).</summary>
    private Span<float> Columns()
    {
        int length = inChannels * kernelH * kernelW * plan.Columns;
        if (cols.Length < length) cols = new float[length];
        return cols.AsSpan(0, length);
    }

    /// <summary>The lowering plan of the current geometry, built only the first time it is seen.</summary>
    private ConvolutionPlan Plan()
    {
        for (int p = 0; p < plans.Length; p++)
            if (plans[p] is { } known && known.Matches(batch, height, width, kernelH, kernelW, stride, padding))
                return known;
        Array.Copy(plans, 0, plans, 1, plans.Length - 1);
        return plans[0] = new ConvolutionPlan(batch, height, width, kernelH, kernelW, stride, padding);
    }

    private readonly struct AddBias(Conv2dOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int positions = op.plan.Columns;
            Bias.AddToChannels(op.Output.Values[(from * positions)..(to * positions)], op.bias.Values[from..to], positions);
        }
    }

    private readonly struct SumBiasGradient(Conv2dOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int positions = op.plan.Columns;
            Bias.SumChannels(op.Output.Grad[(from * positions)..(to * positions)], op.bias.Grad[from..to], positions);
        }
    }

    /// <summary>The bias gradient from position-major dY: channels in runs of 16 (one cache line of each row).</summary>
    private readonly unsafe struct SumBiasGradientRows(Conv2dOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int channels = op.outChannels;
            fixed (float* dy = op.Output.Grad, g = op.bias.Grad)
                PositionMajorPasses.Sum(dy, op.plan.Columns, channels, from * 16, Math.Min(channels, to * 16), g);
        }
    }

    /// <summary>
    /// Accumulates the gradients of the input, weight and bias from the output's gradient (each only when it tracks
    /// gradients).
    /// </summary>
    public void Backward()
    {
        int patch = inChannels * kernelH * kernelW, positions = plan.Columns;
        var dy = Output.Grad;
        if (direct)
        {
            bool directInput = x.RequiresGrad && DirectConvolution.InputGradientApplies(inChannels);
            directRoute.AddGradients(Output, weight.RequiresGrad ? weight.Grad : default, weight.RequiresGrad, directInput);
            if (bias.RequiresGrad)
                WorkerPool.For((outChannels + 15) / 16, 1, (long)outChannels * positions, new SumBiasGradientRows(this));
            if (directInput || !x.RequiresGrad) return;
            // Input channels not in whole panels (then the input is channel-major): dY laid channel-major, lowered.
            dy = directRoute.OutputGradientChannelMajor(Output);
        }
        else
        {
            if (weight.RequiresGrad)
                ParallelKernels.Gemm(dy, false, cols.AsSpan(0, patch * positions), true, weight.Grad, outChannels, patch, positions, accumulate: true);
            if (bias.RequiresGrad)
                WorkerPool.For(outChannels, 1, (long)outChannels * positions, new SumBiasGradient(this));
        }
        if (x.RequiresGrad)
        {
            // The weight gradient above was the last reader of the columns: their gradient takes the same buffer,
            // which keeps a step's working set (1.1 MB per buffer for the second layer) smaller and warm.
            var d = Columns();
            ParallelKernels.Gemm(weight.Values, true, dy, false, d, patch, positions, outChannels);
            ParallelKernels.Col2Im(d, inChannels, plan, x.Grad);
        }
    }
}
