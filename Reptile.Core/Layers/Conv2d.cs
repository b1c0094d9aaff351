using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>
/// PyTorch's nn.Conv2d (square kernel, stride, zero padding on every side; weight [out, in, k, k]).
/// Takes NCHW input; its output is channel-major (same logical shape) for the layers that follow.
/// </summary>
public sealed class Conv2d : Layer
{
    private readonly ChannelMajorOp layout = new();
    private readonly Conv2dOp op = new();

    /// <summary>Channels of the input (C of [N, C, H, W]).</summary>
    public int InChannels { get; }
    /// <summary>Channels of the output: the number of kernels.</summary>
    public int OutChannels { get; }
    /// <summary>Side of the square kernel, in pixels.</summary>
    public int KernelSize { get; }
    /// <summary>Step between kernel positions, in pixels.</summary>
    public int Stride { get; }
    /// <summary>Zero pixels added on every side of the input.</summary>
    public int Padding { get; }

    /// <summary>
    /// A convolution of <paramref name="outChannels"/> square kernels over <paramref name="inChannels"/> channels.
    /// </summary>
    /// <param name="inChannels">Input channels, at least 1.</param>
    /// <param name="outChannels">Output channels, at least 1.</param>
    /// <param name="kernelSize">Kernel side in pixels, at least 1.</param>
    /// <param name="stride">Step between kernel positions, at least 1.</param>
    /// <param name="padding">Zero pixels on every side, at least 0.</param>
    /// <exception cref="ArgumentException">A value out of those ranges.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"Invalid Conv2d({inChannels}, {outChannels}, kernel {kernelSize}, stride {stride}, padding {padding}).");
        (InChannels, OutChannels, KernelSize, Stride, Padding) = (inChannels, outChannels, kernelSize, stride, padding);
    }

    /// <summary>"weight" [out, in, k, k] and "bias" [out].</summary>
    public override IReadOnlyList<ParameterSpec> ParameterSpecs =>
        [new("weight", [OutChannels, InChannels, KernelSize, KernelSize]), new("bias", [OutChannels])];

    /// <summary>
    /// Convolves [N, in, H, W] input into [N, out, OH, OW], OH = (H + 2·padding − k) / stride + 1 (likewise OW).
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 4-d with <see cref="InChannels"/> channels, or the kernel
    /// does not fit the padded image.</exception>
    public override Tensor Forward(Tensor input, Tape? tape)
    {
        if (input.Rank != 4 || input.Dim(1) != InChannels)
            throw new ArgumentException($"{this} expects input [N, {InChannels}, H, W], got {input}.", nameof(input));
        var x = input.Layout == TensorLayout.PositionMajor && Conv2dOp.TakesRows(OutChannels, InChannels) ? input : layout.Apply(input, tape);
        return op.Forward(x, Parameter(0), Parameter(1), Stride, Padding, tape);
    }

    /// <summary>Kaiming-uniform with a = √5: bound 1/√(in·k·k) for weights and biases, as PyTorch does.</summary>
    public override void ResetParameters(Rng rng)
    {
        float bound = 1f / MathF.Sqrt(InChannels * KernelSize * KernelSize);
        Uniform(Parameter(0).Values, bound, rng);
        Uniform(Parameter(1).Values, bound, rng);
    }

    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new Conv2d(InChannels, OutChannels, KernelSize, Stride, Padding);

    /// <inheritdoc/>
    public override string ToString() => $"Conv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding})";
}
