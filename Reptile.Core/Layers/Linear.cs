using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>A fully connected layer, PyTorch's nn.Linear: y = x·Wᵀ + b, W [out, in].</summary>
public sealed class Linear(int inFeatures, int outFeatures) : Layer
{
    private readonly LinearOp op = new();

    public int InFeatures { get; } = inFeatures > 0 ? inFeatures : throw new ArgumentOutOfRangeException(nameof(inFeatures));
    public int OutFeatures { get; } = outFeatures > 0 ? outFeatures : throw new ArgumentOutOfRangeException(nameof(outFeatures));

    public override IReadOnlyList<ParameterSpec> ParameterSpecs =>
        [new("weight", [OutFeatures, InFeatures]), new("bias", [OutFeatures])];

    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, Parameter(0), Parameter(1), tape);

    /// <summary>Kaiming-uniform with a = √5 (bound 1/√fan_in) for weights and biases, as PyTorch does.</summary>
    public override void ResetParameters(Rng rng)
    {
        float bound = 1f / MathF.Sqrt(InFeatures);
        Uniform(Parameter(0).Values, bound, rng);
        Uniform(Parameter(1).Values, bound, rng);
    }

    public override Layer CloneConfiguration() => new Linear(InFeatures, OutFeatures);

    public override string ToString() => $"Linear({InFeatures}, {OutFeatures})";
}
