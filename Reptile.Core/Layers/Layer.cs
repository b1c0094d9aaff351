using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>
/// A building block of a <see cref="Sequential"/> model. A layer declares its parameters; the model binds
/// them as slices of its single flat buffer. Layers compute through ops (forward and backward side by
/// side) and know nothing of SIMD. One layer instance may be applied once per recorded step.
/// </summary>
public abstract class Layer
{
    private Tensor[] parameters = [];

    /// <summary>The parameters this layer needs, in PyTorch state_dict order.</summary>
    public virtual IReadOnlyList<ParameterSpec> ParameterSpecs => [];

    /// <summary>The bound parameter views, in <see cref="ParameterSpecs"/> order.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>
    /// The bound parameter <paramref name="index"/> (in <see cref="ParameterSpecs"/> order), for a subclass's forward
    /// pass.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer has not been added to a <see cref="Sequential"/>
    /// yet.</exception>
    protected Tensor Parameter(int index) => parameters.Length > index
        ? parameters[index]
        : throw new InvalidOperationException($"{GetType().Name} is not part of a model yet: add it to a Sequential before use.");

    internal void Bind(float[] values, float[] gradients, int offset)
    {
        var specs = ParameterSpecs;
        parameters = new Tensor[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            parameters[i] = Tensor.View(values, gradients, offset, specs[i].Shape);
            offset += specs[i].Length;
        }
    }

    /// <summary>
    /// Computes the layer's output for <paramref name="input"/> ([N, …], a batch of N examples), recording the ops on
    /// <paramref name="tape"/> for a backward pass, or not when it is null. The returned tensor is the layer's own
    /// buffer, overwritten by its next forward.
    /// </summary>
    public abstract Tensor Forward(Tensor input, Tape? tape);

    /// <summary>PyTorch's default initialisation for this layer type.</summary>
    public virtual void ResetParameters(Rng rng) { }

    /// <summary>A new, unbound layer of the same configuration (parameters are copied by the model).</summary>
    public abstract Layer CloneConfiguration();

    /// <summary>The layer's configuration in PyTorch's notation, e.g. <c>Conv2d(1, 64, kernel_size=3, stride=2, padding=1)</c>:
    /// what a checkpoint records, and what <see cref="Parse"/> reads back.</summary>
    public abstract override string ToString();

    /// <summary>The layer a <see cref="ToString"/> description stands for (unbound: add it to a model).</summary>
    /// <exception cref="FormatException">Not a description of a known layer.</exception>
    public static Layer Parse(string description) => LayerDescription.Parse(description);

    /// <summary>Fills <paramref name="values"/> with U(−bound, bound).</summary>
    protected static void Uniform(Span<float> values, float bound, Rng rng)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)rng.Uniform(-bound, bound);
    }
}
