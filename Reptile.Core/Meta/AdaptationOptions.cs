namespace Reptile.Meta;

/// <summary>How <see cref="FewShotClassifier.Adapt(IEnumerable{LabelledImage}, AdaptationOptions?)"/> fine-tunes;
/// every setting left null takes the checkpoint's own (<see cref="ModelDescription.FineTuning"/>), which is what the
/// model was meta-trained and evaluated with.</summary>
public sealed record AdaptationOptions
{
    /// <summary>Optimizer steps on the support examples (the checkpoint's: supervised-reptile's <c>--eval-iters</c>).</summary>
    public int? Steps { get; init; }
    /// <summary>Support examples per step (the checkpoint's <c>--eval-batch</c>).</summary>
    public int? BatchSize { get; init; }
    /// <summary>Predict a list of queries together in one batch (batch norm then sees all of them), instead of each
    /// query with the support examples, as the library's non-transductive evaluation does.</summary>
    public bool? Transductive { get; init; }
    /// <summary>Seeds the order of the fine-tuning batches: same seed, same support set, same predictions.</summary>
    public ulong Seed { get; init; }
    /// <summary>Start from the inner optimizer's meta-trained state (Adam's moments), as evaluation does (default);
    /// false starts from a fresh optimizer.</summary>
    public bool UseOptimizerState { get; init; } = true;
    /// <summary>Replace the output layer by a freshly initialised one with a row per support label (the rest of the
    /// meta-learned weights are kept), so the support set may have another number of labels than the model's classes.
    /// Off by default, so a mismatch is an error; its cost in accuracy is measured in docs/results.md.</summary>
    public bool ReinitializeOutputLayer { get; init; }

    internal void Validate()
    {
        if (Steps is < 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, $"{nameof(AdaptationOptions)}.{nameof(Steps)} cannot be negative.");
        if (BatchSize is < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"{nameof(AdaptationOptions)}.{nameof(BatchSize)} must be at least 1.");
    }
}
