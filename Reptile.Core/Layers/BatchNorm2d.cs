using System.Globalization;
using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>
/// PyTorch's nn.BatchNorm2d (affine). By default it normalises with the current batch's statistics in
/// training and inference alike, as supervised-reptile does (so a test batch's composition matters: that is
/// what transduction is about). With <see cref="TrackRunningStats"/> it also keeps running averages, and
/// <see cref="UseRunningStats"/> switches inference to them.
/// </summary>
public sealed class BatchNorm2d : Layer
{
    private readonly ChannelMajorOp layout = new();
    private readonly BatchNormOp op = new();

    /// <summary>Channels normalised (C of the [N, C, H, W] input); γ and β have one value each per channel.</summary>
    public int Channels { get; }
    /// <summary>
    /// ε added to the variance before the square root, for stability (supervised-reptile's models use 1e-3).
    /// </summary>
    public float Epsilon { get; }
    /// <summary>
    /// Weight of the newest batch in the running averages, in [0, 1] (PyTorch's momentum; 0.1 by default).
    /// </summary>
    public float Momentum { get; }
    /// <summary>
    /// Whether training passes (those recorded on a tape) update <see cref="RunningMean"/> and
    /// <see cref="RunningVariance"/>.
    /// </summary>
    public bool TrackRunningStats { get; }
    /// <summary>
    /// Whether passes without a tape normalise with the running statistics instead of the batch's (PyTorch's eval()).
    /// Off by default: Reptile evaluates with batch statistics.
    /// </summary>
    public bool UseRunningStats { get; set; }
    /// <summary>Per-channel running mean of the training batches (starts at 0).</summary>
    public float[] RunningMean { get; }
    /// <summary>Per-channel running unbiased variance of the training batches (starts at 1).</summary>
    public float[] RunningVariance { get; }

    /// <summary>
    /// A batch norm over <paramref name="channels"/> channels; γ and β live in the model it is added to, which
    /// initialises them to 1 and 0.
    /// </summary>
    /// <param name="channels">C of the input, at least 1.</param>
    /// <param name="epsilon">Added to the variance, positive.</param>
    /// <param name="trackRunningStats">Keep running averages of the training batches' statistics.</param>
    /// <param name="momentum">Weight of the newest batch in those averages.</param>
    /// <exception cref="ArgumentOutOfRangeException">No channels, or ε not positive.</exception>
    public BatchNorm2d(int channels, float epsilon = 1e-3f, bool trackRunningStats = false, float momentum = 0.1f)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels));
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be positive");
        (Channels, Epsilon, TrackRunningStats, Momentum) = (channels, epsilon, trackRunningStats, momentum);
        RunningMean = new float[channels];
        RunningVariance = Enumerable.Repeat(1f, channels).ToArray();
    }

    /// <summary>"weight" (γ) and "bias" (β), [C] each.</summary>
    public override IReadOnlyList<ParameterSpec> ParameterSpecs => [new("weight", [Channels]), new("bias", [Channels])];

    /// <summary>
    /// Normalises each channel of [N, C, H, W] input to zero mean and unit variance over (N, H, W), then scales by γ
    /// and shifts by β. The output is channel-major.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not [N, C, H, W] with this layer's C.</exception>
    public override Tensor Forward(Tensor input, Tape? tape) => Forward(input, tape, relu: false);

    /// <summary>Whether <see cref="ForwardRelu"/> can take the relu that follows this layer into its own pass:
    /// only when normalising with the batch's statistics.</summary>
    internal bool FusesRelu(Tape? tape) => !(tape == null && UseRunningStats);

    /// <summary>This layer followed by a relu, in one op (see <see cref="FusesRelu"/>).</summary>
    internal Tensor ForwardRelu(Tensor input, Tape? tape) => Forward(input, tape, relu: true);

    private Tensor Forward(Tensor input, Tape? tape, bool relu)
    {
        if (input.Rank != 4 || input.Dim(1) != Channels)
            throw new ArgumentException($"{this} expects input [N, {Channels}, H, W], got {input}.", nameof(input));
        bool running = tape == null && UseRunningStats;
        // Batch statistics work on either layout; running ones only channel-major.
        var x = input.Layout == TensorLayout.PositionMajor && !running ? input : layout.Apply(input, tape);
        if (running)
            return op.ForwardInference(x, Parameter(0), Parameter(1), RunningMean, RunningVariance, Epsilon);
        var y = op.Forward(x, Parameter(0), Parameter(1), Epsilon, tape, relu);
        if (TrackRunningStats && tape != null) UpdateRunningStats(x.Length / Channels);
        return y;
    }

    private void UpdateRunningStats(int count)
    {
        // PyTorch keeps the unbiased variance in its running average.
        float unbias = count > 1 ? count / (float)(count - 1) : 1f;
        for (int c = 0; c < Channels; c++)
        {
            float variance = 1f / (op.InvStd[c] * op.InvStd[c]) - Epsilon;
            RunningMean[c] += Momentum * (op.Mean[c] - RunningMean[c]);
            RunningVariance[c] += Momentum * (variance * unbias - RunningVariance[c]);
        }
    }

    /// <summary>γ = 1, β = 0, as PyTorch initialises them (nothing is drawn from <paramref name="rng"/>).</summary>
    public override void ResetParameters(Rng rng)
    {
        Parameter(0).Values.Fill(1f);
        Parameter(1).Values.Clear();
    }

    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new BatchNorm2d(Channels, Epsilon, TrackRunningStats, Momentum) { UseRunningStats = UseRunningStats };

    /// <inheritdoc/>
    public override string ToString() => TrackRunningStats
        ? string.Create(CultureInfo.InvariantCulture, $"BatchNorm2d({Channels}, eps={Epsilon:R}, momentum={Momentum:R}, track_running_stats=True)")
        : string.Create(CultureInfo.InvariantCulture, $"BatchNorm2d({Channels}, eps={Epsilon:R})");
}
