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

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"Invalid Conv2d({inChannels}, {outChannels}, kernel {kernelSize}, stride {stride}, padding {padding}).");
        (InChannels, OutChannels, KernelSize, Stride, Padding) = (inChannels, outChannels, kernelSize, stride, padding);
    }

    public override IReadOnlyList<ParameterSpec> ParameterSpecs =>
        [new("weight", [OutChannels, InChannels, KernelSize, KernelSize]), new("bias", [OutChannels])];

    public override Tensor Forward(Tensor input, Tape? tape)
    {
        if (input.Rank != 4 || input.Dim(1) != InChannels)
            throw new ArgumentException($"{this} expects input [N, {InChannels}, H, W], got {input}.", nameof(input));
        return op.Forward(layout.Apply(input, tape), Parameter(0), Parameter(1), Stride, Padding, tape);
    }

    /// <summary>Kaiming-uniform with a = √5: bound 1/√(in·k·k) for weights and biases, as PyTorch does.</summary>
    public override void ResetParameters(Rng rng)
    {
        float bound = 1f / MathF.Sqrt(InChannels * KernelSize * KernelSize);
        Uniform(Parameter(0).Values, bound, rng);
        Uniform(Parameter(1).Values, bound, rng);
    }

    public override Layer CloneConfiguration() => new Conv2d(InChannels, OutChannels, KernelSize, Stride, Padding);

    public override string ToString() => $"Conv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding})";
}
