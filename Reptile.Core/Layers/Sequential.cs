using Reptile.Autograd;
using Reptile.Threading;

namespace Reptile.Layers;

/// <summary>
/// Layers applied in order, with every parameter in one contiguous buffer (<see cref="Parameters"/>) and
/// the gradients in a twin (<see cref="Gradients"/>): optimizer steps, snapshots and the Reptile update are
/// single passes over these arrays. Parameter names follow PyTorch's nn.Sequential ("0.weight", ...).
/// </summary>
public sealed class Sequential
{
    private readonly Layer[] layers;
    private readonly NamedParameter[] named;

    /// <summary>At i, the batch norm at i when a relu follows it (the pair can run as one op), else null: found
    /// once here rather than by type tests on every forward pass.</summary>
    private readonly BatchNorm2d?[] normBeforeRelu;

    /// <summary>The layers in order; layer i's parameters are named "i.weight", "i.bias".</summary>
    public IReadOnlyList<Layer> Layers => layers;

    /// <summary>Runs each batch norm that a relu follows as one op with it (the default). The values are the same
    /// either way; turning it off runs the layers one by one, for comparison.</summary>
    public bool FuseBatchNormRelu { get; set; } = true;

    /// <summary>
    /// Every parameter of the model in one buffer, in <see cref="NamedParameters"/> order: what optimizers update,
    /// checkpoints store and the Reptile update moves.
    /// </summary>
    public float[] Parameters { get; }
    /// <summary>
    /// The gradients of <see cref="Parameters"/>, laid out the same way; a backward pass adds into them (see
    /// <see cref="ZeroGrad"/>).
    /// </summary>
    public float[] Gradients { get; }
    /// <summary>Number of parameters (the length of <see cref="Parameters"/>).</summary>
    public int ParameterCount => Parameters.Length;
    /// <summary>
    /// Each parameter tensor under its PyTorch state_dict name, with its offset in <see cref="Parameters"/>.
    /// </summary>
    public IReadOnlyList<NamedParameter> NamedParameters => named;

    /// <summary>The layers, their parameters initialised as PyTorch initialises them, drawn from seed 0 (so a model is
    /// never used with all-zero weights by mistake); <see cref="Initialize"/> draws them again from another seed.</summary>
    public Sequential(params Layer[] layers) : this(layers, initialize: true)
    {
    }

    private Sequential(Layer[] layers, bool initialize)
    {
        if (layers.Length == 0) throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        this.layers = layers;
        int total = layers.Sum(l => l.ParameterSpecs.Sum(s => s.Length));
        Parameters = new float[total];
        Gradients = new float[total];
        var names = new List<NamedParameter>();
        int offset = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            layers[i].Bind(Parameters, Gradients, offset);
            var specs = layers[i].ParameterSpecs;
            for (int p = 0; p < specs.Count; p++)
            {
                names.Add(new NamedParameter($"{i}.{specs[p].Name}", layers[i].Parameters[p], offset));
                offset += specs[p].Length;
            }
        }
        named = names.ToArray();
        normBeforeRelu = layers.Select((l, i) => l is BatchNorm2d norm && i + 1 < layers.Length && layers[i + 1] is Relu ? norm : null).ToArray();
        if (initialize) Initialize(new Rng(0));
    }

    /// <summary>PyTorch's default initialisation of every layer, drawn from <paramref name="rng"/>.</summary>
    public Sequential Initialize(Rng rng)
    {
        foreach (var layer in layers) layer.ResetParameters(rng);
        return this;
    }

    /// <summary>
    /// Runs the layers in order on <paramref name="input"/>, recording on <paramref name="tape"/> for a backward pass
    /// when one is given. The result is the last layer's own buffer, overwritten by the next forward.
    /// </summary>
    /// <exception cref="ArgumentException">The input's shape does not fit the first layer (or a layer's output the
    /// next one).</exception>
    public Tensor Forward(Tensor input, Tape? tape = null)
    {
        var x = input;
        for (int i = 0; i < layers.Length; i++)
        {
            // Batch norm then relu (every block of the paper's models) runs as one op: same values, fewer passes.
            if (FuseBatchNormRelu && normBeforeRelu[i] is { } norm && norm.FusesRelu(tape))
            {
                x = norm.ForwardRelu(x, tape);
                i++;
            }
            else
                x = layers[i].Forward(x, tape);
        }
        return x;
    }

    /// <summary>Zeroes the gradient buffer (in parts on the worker pool, as the optimizer step will be, when this
    /// thread splits its ops).</summary>
    public void ZeroGrad()
    {
        WorkerPool.For(Gradients.Length, 64, Gradients.Length, new ClearGradients(Gradients));
    }

    private readonly struct ClearGradients(float[] gradients) : IRangeBody
    {
        public void Run(int from, int to) => gradients.AsSpan(from, to - from).Clear();
    }

    /// <summary>A replica with its own buffers (for a worker thread), holding a copy of the parameters.</summary>
    public Sequential Clone()
    {
        var copy = new Sequential(layers.Select(l => l.CloneConfiguration()).ToArray(), initialize: false);
        Parameters.CopyTo(copy.Parameters, 0);
        return copy;
    }

    /// <summary>
    /// Overwrites every parameter with <paramref name="values"/> (in <see cref="Parameters"/> order).
    /// </summary>
    /// <exception cref="ArgumentException">Not exactly <see cref="ParameterCount"/> values.</exception>
    public void SetParameters(ReadOnlySpan<float> values)
    {
        if (values.Length != Parameters.Length)
            throw new ArgumentException($"The model has {Parameters.Length} parameters, got {values.Length} values.", nameof(values));
        values.CopyTo(Parameters);
    }

    /// <summary>The parameter of state_dict name <paramref name="name"/>, e.g. "0.weight".</summary>
    /// <exception cref="KeyNotFoundException">The model has no such parameter (the message lists those it
    /// has).</exception>
    public NamedParameter GetParameter(string name) =>
        named.FirstOrDefault(p => p.Name == name)
        ?? throw new KeyNotFoundException($"The model has no parameter '{name}' (it has {string.Join(", ", named.Select(p => p.Name))}).");

    /// <summary>
    /// The layers with their indices and the parameter count, e.g. "Sequential(0: Linear(1, 64), 1: Tanh(), …; 4353
    /// parameters)".
    /// </summary>
    public override string ToString() =>
        "Sequential(" + string.Join(", ", layers.Select((l, i) => $"{i}: {l}")) + $"; {ParameterCount} parameters)";
}
