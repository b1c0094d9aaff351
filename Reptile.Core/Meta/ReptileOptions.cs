namespace Reptile.Meta;

/// <summary>The outer loop's settings (supervised-reptile's names).</summary>
public sealed record ReptileOptions
{
    /// <summary>Tasks per meta-iteration; φ moves towards the mean of their adapted weights.</summary>
    public int MetaBatch { get; init; } = 1;
    /// <summary>ε at the first meta-iteration.</summary>
    public float MetaStep { get; init; } = 0.1f;
    /// <summary>ε at the end: annealed linearly from <see cref="MetaStep"/> over <see cref="MetaIterations"/>.</summary>
    public float MetaStepFinal { get; init; } = 0.1f;
    /// <summary>
    /// Meta-iterations planned: the span over which ε anneals from <see cref="MetaStep"/> to
    /// <see cref="MetaStepFinal"/>.
    /// </summary>
    public int MetaIterations { get; init; } = 1000;
    /// <summary>Seed of every random draw of the run (tasks, batches), so equal options give equal runs.</summary>
    public ulong Seed { get; init; }
    /// <summary>Threads: with <see cref="InnerStateMode.Averaged"/> the tasks of a meta-batch run on this many
    /// workers; with chained state (tasks in sequence) the large matrix products are split instead. Results
    /// never depend on it.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>How the inner optimizer's state flows between the tasks of a meta-batch.</summary>
    public InnerStateMode InnerState { get; init; } = InnerStateMode.Chained;
    /// <summary>First-order MAML instead of Reptile: move φ by the mean of each task's last step.</summary>
    public bool FirstOrderMaml { get; init; }
    /// <summary>The parameters are multiplied by this rate before each inner step (supervised-reptile's weight
    /// decay; 1: none). In (0, 1].</summary>
    public float WeightDecayRate { get; init; } = 1f;

    /// <summary>ε at <paramref name="iteration"/>: frac·final + (1 − frac)·initial with frac = iteration / total,
    /// held at the final value past the planned total (extrapolating would make ε negative).</summary>
    public float MetaStepAt(int iteration)
    {
        double frac = Math.Clamp((double)iteration / MetaIterations, 0, 1);
        return (float)(frac * MetaStepFinal + (1 - frac) * MetaStep);
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MetaBatch < 1) throw new ArgumentOutOfRangeException(nameof(MetaBatch), MetaBatch, "the meta-batch needs at least one task");
        if (MetaIterations < 1) throw new ArgumentOutOfRangeException(nameof(MetaIterations), MetaIterations, "at least one meta-iteration");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "at least one thread");
        if (!(MetaStep >= 0 && MetaStep <= 1)) throw new ArgumentOutOfRangeException(nameof(MetaStep), MetaStep, "the meta step ε is a fraction of the way towards the task weights, in [0, 1]");
        if (!(MetaStepFinal >= 0 && MetaStepFinal <= 1)) throw new ArgumentOutOfRangeException(nameof(MetaStepFinal), MetaStepFinal, "the final meta step ε is a fraction of the way towards the task weights, in [0, 1]");
        if (!(WeightDecayRate > 0 && WeightDecayRate <= 1)) throw new ArgumentOutOfRangeException(nameof(WeightDecayRate), WeightDecayRate, "a rate the parameters are multiplied by, in (0, 1]");
    }
}
