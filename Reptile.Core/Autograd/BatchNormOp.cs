using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// Batch normalisation over (N, H, W) per channel with the batch's own statistics (biased variance), as
/// supervised-reptile uses it in training, adaptation and evaluation alike. Optionally followed by a relu in the
/// same passes (forward: one write instead of two passes and a second activation; backward: the relu's mask is
/// applied to the incoming gradient in place), which gives exactly the values of the two ops in sequence.
/// </summary>
public sealed unsafe class BatchNormOp : IBackward
{
    private Tensor x = null!, gamma = null!, beta = null!;
    private int channels, plane;
    private float epsilon;
    private bool relu;

    /// <summary>
    /// The output of the last forward, laid out like its input (channel-major or position-major): one buffer reused by
    /// every call.
    /// </summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 0, 0, 0, 0);
    /// <summary>
    /// The per-channel batch means of the last training forward (one per channel), kept for the backward.
    /// </summary>
    public float[] Mean { get; private set; } = [];
    /// <summary>The per-channel 1/√(variance + ε) of the last training forward, kept for the backward.</summary>
    public float[] InvStd { get; private set; } = [];

    /// <summary>Normalises each channel with the batch's own mean and biased variance, then scales by γ and shifts by β,
    /// recording the op on <paramref name="tape"/> when one is given.</summary>
    /// <param name="input">Channel-major or position-major [N, C, H, W] activations.</param>
    /// <param name="gamma">The scale, [C].</param>
    /// <param name="beta">The shift, [C].</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    /// <param name="tape">The tape to record on, or null for a forward pass without gradients.</param>
    /// <param name="relu">Apply max(·, 0) to the output (a relu fused into this op).</param>
    /// <returns><see cref="Output"/>.</returns>
    public Tensor Forward(Tensor input, Tensor gamma, Tensor beta, float epsilon, Tape? tape, bool relu = false)
    {
        Prepare(input, gamma, beta, rowsAllowed: true);
        this.epsilon = epsilon;
        this.relu = relu;
        if (Rows) WorkerPool.For(LaneRuns, 1, 3L * channels * plane, new ForwardRows(this));
        else WorkerPool.For(channels, 1, (long)channels * plane, new ForwardChannels(this));
        tape?.Record(this, Output);
        return Output;
    }

    private bool Rows => x.Layout == TensorLayout.PositionMajor;

    /// <summary>Position-major parts: runs of 16 channels (one cache line of each row).</summary>
    private int LaneRuns => (channels + 15) / 16;

    private readonly struct ForwardRows(BatchNormOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            fixed (float* x = op.x.Values, y = op.Output.Values, g = op.gamma.Values, b = op.beta.Values, mean = op.Mean, inv = op.InvStd)
                PositionMajorPasses.BatchNormForward(x, op.plane, op.channels, from * 16, Math.Min(op.channels, to * 16), g, b, op.epsilon,
                    y, mean, inv, op.relu);
        }
    }

    private readonly struct BackwardRows(BatchNormOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            fixed (float* x = op.x.Values, y = op.Output.Values, dy = op.Output.Grad, dx = op.x.Grad, g = op.gamma.Values,
                   dg = op.gamma.Grad, db = op.beta.Grad, mean = op.Mean, inv = op.InvStd)
                PositionMajorPasses.BatchNormBackward(x, y, dy, op.plane, op.channels, from * 16, Math.Min(op.channels, to * 16), mean, inv,
                    g, dx, dg, db, op.relu);
        }
    }

    /// <summary>Channels are independent, so the pool's threads may take some of them.</summary>
    private readonly struct ForwardChannels(BatchNormOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int p = op.plane, count = to - from;
            Kernels.BatchNorm.Forward(op.x.Values.Slice(from * p, count * p), count, p, op.gamma.Values.Slice(from, count), op.beta.Values.Slice(from, count),
                op.epsilon, op.Output.Values.Slice(from * p, count * p), op.Mean.AsSpan(from, count), op.InvStd.AsSpan(from, count), op.relu);
        }
    }

    /// <summary>Normalises with given (running) statistics; not differentiable here, for inference only.</summary>
    /// <exception cref="ArgumentException">The input is not channel-major [N, C, H, W].</exception>
    public Tensor ForwardInference(Tensor input, Tensor gamma, Tensor beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon)
    {
        Prepare(input, gamma, beta, rowsAllowed: false);
        Kernels.BatchNorm.ForwardInference(input.Values, channels, plane, gamma.Values, beta.Values, mean, variance, epsilon, Output.Values);
        return Output;
    }

    private void Prepare(Tensor input, Tensor gamma, Tensor beta, bool rowsAllowed)
    {
        bool layout = input.Layout == TensorLayout.ChannelMajor || rowsAllowed && input.Layout == TensorLayout.PositionMajor;
        if (!layout || input.Rank != 4 || input.Dim(1) != gamma.Length)
            throw new ArgumentException($"BatchNorm2d({gamma.Length}) expects a channel-major{(rowsAllowed ? " or position-major" : "")} [N, {gamma.Length}, H, W] input, got {input}.", nameof(input));
        x = input; this.gamma = gamma; this.beta = beta;
        channels = input.Dim(1);
        plane = input.Dim(0) * input.Dim(2) * input.Dim(3);
        Output.ReshapeLike(input, requiresGrad: true);
        if (Mean.Length != channels) { Mean = new float[channels]; InvStd = new float[channels]; }
    }

    /// <summary>
    /// Accumulates the gradients of the input, γ and β from the output's gradient (each only when it tracks
    /// gradients).
    /// </summary>
    public void Backward()
    {
        if (!gamma.RequiresGrad || !beta.RequiresGrad || !x.RequiresGrad)
            throw new InvalidOperationException("BatchNorm backward needs gradients for its input, scale and shift.");
        if (Rows) WorkerPool.For(LaneRuns, 1, 3L * channels * plane, new BackwardRows(this));
        else WorkerPool.For(channels, 1, (relu ? 3L : 2L) * channels * plane, new BackwardChannels(this));
    }

    private readonly struct BackwardChannels(BatchNormOp op) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int p = op.plane, count = to - from;
            // Only this op reads its output's gradient, so the fused relu's mask can overwrite it.
            if (op.relu) Activations.ReluMask(op.Output.Values.Slice(from * p, count * p), op.Output.Grad.Slice(from * p, count * p));
            Kernels.BatchNorm.Backward(op.x.Values.Slice(from * p, count * p), op.Mean.AsSpan(from, count), op.InvStd.AsSpan(from, count),
                op.Output.Grad.Slice(from * p, count * p), op.gamma.Values.Slice(from, count), count, p,
                op.x.Grad.Slice(from * p, count * p), op.gamma.Grad.Slice(from, count), op.beta.Grad.Slice(from, count));
        }
    }
}
