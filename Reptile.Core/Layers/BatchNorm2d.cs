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

    public int Channels { get; }
    public float Epsilon { get; }
    public float Momentum { get; }
    public bool TrackRunningStats { get; }
    public bool UseRunningStats { get; set; }
    public float[] RunningMean { get; }
    public float[] RunningVariance { get; }

    public BatchNorm2d(int channels, float epsilon = 1e-3f, bool trackRunningStats = false, float momentum = 0.1f)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels));
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be positive");
        (Channels, Epsilon, TrackRunningStats, Momentum) = (channels, epsilon, trackRunningStats, momentum);
        RunningMean = new float[channels];
        RunningVariance = Enumerable.Repeat(1f, channels).ToArray();
    }

    public override IReadOnlyList<ParameterSpec> ParameterSpecs => [new("weight", [Channels]), new("bias", [Channels])];

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
        var x = layout.Apply(input, tape);
        if (tape == null && UseRunningStats)
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

    public override void ResetParameters(Rng rng)
    {
        Parameter(0).Values.Fill(1f);
        Parameter(1).Values.Clear();
    }

    public override Layer CloneConfiguration() => new BatchNorm2d(Channels, Epsilon, TrackRunningStats, Momentum) { UseRunningStats = UseRunningStats };

    public override string ToString() => TrackRunningStats
        ? string.Create(CultureInfo.InvariantCulture, $"BatchNorm2d({Channels}, eps={Epsilon:R}, momentum={Momentum:R}, track_running_stats=True)")
        : string.Create(CultureInfo.InvariantCulture, $"BatchNorm2d({Channels}, eps={Epsilon:R})");
}
