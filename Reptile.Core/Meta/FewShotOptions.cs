using System.Text.Json;

namespace Reptile.Meta;

/// <summary>supervised-reptile's run_omniglot.py flags, with the same meanings and defaults.</summary>
public sealed record FewShotOptions
{
    public int Seed { get; init; }
    public int Classes { get; init; } = 5;
    public int Shots { get; init; } = 5;
    /// <summary>Shots per class while meta-training; 0 means <see cref="Shots"/>.</summary>
    public int TrainShots { get; init; }
    public int InnerBatch { get; init; } = 5;
    public int InnerIters { get; init; } = 20;
    public bool Replacement { get; init; }
    public float LearningRate { get; init; } = 1e-3f;
    public float MetaStep { get; init; } = 0.1f;
    public float MetaStepFinal { get; init; } = 0.1f;
    public int MetaBatch { get; init; } = 1;
    public int MetaIters { get; init; } = 400_000;
    public int EvalBatch { get; init; } = 5;
    public int EvalIters { get; init; } = 50;
    public int EvalSamples { get; init; } = 10_000;
    public int EvalInterval { get; init; } = 10;
    public float WeightDecay { get; init; } = 1f;
    public bool Transductive { get; init; }
    public bool Foml { get; init; }
    public int? FomlTail { get; init; }
    public bool Sgd { get; init; }
    /// <summary>How the inner Adam state flows between a meta-batch's tasks: supervised-reptile's chain, or
    /// averaged so the tasks can run in parallel.</summary>
    public InnerStateMode InnerState { get; init; } = InnerStateMode.Chained;
    /// <summary>Worker threads: evaluation tasks always run in parallel, training tasks with averaged inner
    /// state. Results do not depend on it.</summary>
    public int Threads { get; init; } = 1;

    public int EffectiveTrainShots => TrainShots > 0 ? TrainShots : Shots;

    public void Validate()
    {
        void Require(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Require(Classes >= 2, $"--classes must be at least 2 (got {Classes}).");
        Require(Shots >= 1, $"--shots must be at least 1 (got {Shots}).");
        Require(TrainShots >= 0, $"--train-shots must be 0 (same as --shots) or more (got {TrainShots}).");
        Require(InnerBatch >= 1 && InnerIters >= 1, "--inner-batch and --inner-iters must be at least 1.");
        Require(LearningRate > 0 && float.IsFinite(LearningRate), $"--learning-rate must be positive (got {LearningRate}).");
        Require(float.IsFinite(MetaStep) && float.IsFinite(MetaStepFinal), "--meta-step and --meta-step-final must be numbers.");
        Require(MetaBatch >= 1 && MetaIters >= 1, "--meta-batch and --meta-iters must be at least 1.");
        Require(EvalBatch >= 1 && EvalIters >= 0 && EvalSamples >= 1 && EvalInterval >= 1, "--eval-batch, --eval-samples and --eval-interval must be at least 1, --eval-iters at least 0.");
        Require(WeightDecay > 0 && WeightDecay <= 1, $"--weight-decay is a rate the parameters are multiplied by, in (0, 1] (got {WeightDecay}).");
        Require(FomlTail is null || Foml, "--foml-tail needs --foml.");
        Require(FomlTail is null || (FomlTail >= 1 && FomlTail < EffectiveTrainShots), $"--foml-tail must be in 1..{EffectiveTrainShots - 1} (train shots − 1).");
        Require(Threads >= 1, $"--threads must be at least 1 (got {Threads}).");
        Require(!Replacement || InnerBatch <= Classes * EffectiveTrainShots, $"With --replacement a batch of {InnerBatch} distinct samples cannot come from {Classes * EffectiveTrainShots}.");
    }

    /// <summary>These options with the evaluation-only settings reset: two runs with equal training flags
    /// produce the same weights, so a checkpoint may be resumed under them.</summary>
    public FewShotOptions TrainingFlags() => this with
    {
        EvalSamples = 0, EvalInterval = 0, Transductive = false, Threads = 0, EvalBatch = 0, EvalIters = 0, Shots = EffectiveTrainShots, TrainShots = 0,
    };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static FewShotOptions FromJson(string json) =>
        JsonSerializer.Deserialize<FewShotOptions>(json) ?? throw new InvalidDataException("Empty options in the checkpoint.");
}
