using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>A fully connected layer, PyTorch's nn.Linear: y = x·Wᵀ + b, W [out, in].</summary>
public sealed class Linear(int inFeatures, int outFeatures) : Layer
{
    private readonly LinearOp op = new();

    /// <summary>Features of each input row (trailing dimensions of the input multiply to it).</summary>
    public int InFeatures { get; } = inFeatures > 0 ? inFeatures : throw new ArgumentOutOfRangeException(nameof(inFeatures));
    /// <summary>Features of each output row.</summary>
    public int OutFeatures { get; } = outFeatures > 0 ? outFeatures : throw new ArgumentOutOfRangeException(nameof(outFeatures));

    /// <summary>"weight" [out, in] and "bias" [out].</summary>
    public override IReadOnlyList<ParameterSpec> ParameterSpecs =>
        [new("weight", [OutFeatures, InFeatures]), new("bias", [OutFeatures])];

    /// <summary>[N, in] → [N, out].</summary>
    /// <exception cref="ArgumentException">The input is not row-major [N, in] (put a <see cref="Flatten"/> before it
    /// after image layers).</exception>
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, Parameter(0), Parameter(1), tape);

    /// <summary>Kaiming-uniform with a = √5 (bound 1/√fan_in) for weights and biases, as PyTorch does.</summary>
    public override void ResetParameters(Rng rng)
    {
        float bound = 1f / MathF.Sqrt(InFeatures);
        Uniform(Parameter(0).Values, bound, rng);
        Uniform(Parameter(1).Values, bound, rng);
    }

    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new Linear(InFeatures, OutFeatures);

    /// <inheritdoc/>
    public override string ToString() => $"Linear({InFeatures}, {OutFeatures})";
}
