using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reptile.Data;
using Reptile.IO;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>supervised-reptile's run_omniglot.py flags, with the same meanings and defaults, and how they wire a
/// run: inner optimizer, training tasks, trainer and evaluator.</summary>
public sealed record FewShotOptions
{
    /// <summary>Seed of the run's random draws: initialisation, tasks, batches and evaluation tasks (--seed).</summary>
    public int Seed { get; init; }
    /// <summary>N: classes per task, the model's outputs (--classes, 5).</summary>
    public int Classes { get; init; } = 5;
    /// <summary>K: labelled images per class at evaluation (--shots, 5).</summary>
    public int Shots { get; init; } = 5;
    /// <summary>Shots per class while meta-training; 0 means <see cref="Shots"/>.</summary>
    public int TrainShots { get; init; }
    /// <summary>Images per inner mini-batch (--inner-batch, 5).</summary>
    public int InnerBatch { get; init; } = 5;
    /// <summary>Inner steps per meta-training task (--inner-iters, 20).</summary>
    public int InnerIters { get; init; } = 20;
    /// <summary>
    /// Draw inner mini-batches with replacement (--replacement); by default each pass goes through a task's samples
    /// once.
    /// </summary>
    public bool Replacement { get; init; }
    /// <summary>Step size of the inner optimizer (--learning-rate, 0.001).</summary>
    public float LearningRate { get; init; } = 1e-3f;
    /// <summary>
    /// ε, the fraction of the way φ moves towards the tasks' weights, at the start (--meta-step, 0.1), in [0, 1].
    /// </summary>
    public float MetaStep { get; init; } = 0.1f;
    /// <summary>ε at the end, reached by linear annealing (--meta-step-final, 0.1), in [0, 1].</summary>
    public float MetaStepFinal { get; init; } = 0.1f;
    /// <summary>Tasks per meta-iteration (--meta-batch, 1).</summary>
    public int MetaBatch { get; init; } = 1;
    /// <summary>Meta-iterations to train (--meta-iters, 400 000).</summary>
    public int MetaIters { get; init; } = 400_000;
    /// <summary>Images per fine-tuning mini-batch at evaluation (--eval-batch, 5).</summary>
    public int EvalBatch { get; init; } = 5;
    /// <summary>Fine-tuning steps per evaluation task (--eval-iters, 50).</summary>
    public int EvalIters { get; init; } = 50;
    /// <summary>Tasks of the final evaluation (--eval-samples, 10 000).</summary>
    public int EvalSamples { get; init; } = 10_000;
    /// <summary>
    /// Meta-iterations between the interval evaluations on one training and one test task (--eval-interval, 10).
    /// </summary>
    public int EvalInterval { get; init; } = 10;
    /// <summary>
    /// Factor the parameters are multiplied by before each inner step (--weight-decay, 1: none), in (0, 1].
    /// </summary>
    public float WeightDecay { get; init; } = 1f;
    /// <summary>Predict an evaluation task's held-out images in one batch (--transductive).</summary>
    public bool Transductive { get; init; }
    /// <summary>First-order MAML instead of Reptile (--foml).</summary>
    public bool Foml { get; init; }
    /// <summary>
    /// With <see cref="Foml"/>: images per class of the last inner mini-batch, held out of the others (--foml-tail);
    /// null: the last batch is drawn like the rest.
    /// </summary>
    public int? FomlTail { get; init; }
    /// <summary>Plain SGD in the inner loop instead of Adam with β1 = 0 (--sgd).</summary>
    public bool Sgd { get; init; }
    /// <summary>How the inner Adam state flows between a meta-batch's tasks: supervised-reptile's chain, or
    /// averaged so the tasks can run in parallel.</summary>
    public InnerStateMode InnerState { get; init; } = InnerStateMode.Chained;
    /// <summary>Worker threads: evaluation tasks always run in parallel, training tasks with averaged inner
    /// state. Results do not depend on it.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Meta-iterations between checkpoints (one is also written at the end). Results do not depend on it.</summary>
    public int CheckpointInterval { get; init; } = 100;

    /// <summary>
    /// Images per class in meta-training tasks: <see cref="TrainShots"/>, or <see cref="Shots"/> when that is 0.
    /// </summary>
    public int EffectiveTrainShots => TrainShots > 0 ? TrainShots : Shots;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        AtLeast(Seed, 0);
        AtLeast(Classes, 2);
        AtLeast(Shots, 1);
        Require(TrainShots >= 0, nameof(TrainShots), TrainShots, "must be 0 (same as Shots) or more");
        AtLeast(InnerBatch, 1);
        AtLeast(InnerIters, 1);
        Require(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be a positive number");
        Fraction(MetaStep);
        Fraction(MetaStepFinal);
        AtLeast(MetaBatch, 1);
        AtLeast(MetaIters, 1);
        AtLeast(EvalBatch, 1);
        AtLeast(EvalIters, 0);
        AtLeast(EvalSamples, 1);
        AtLeast(EvalInterval, 1);
        Require(WeightDecay > 0 && WeightDecay <= 1, nameof(WeightDecay), WeightDecay, "is a rate the parameters are multiplied by, in (0, 1]");
        Require(FomlTail is null || Foml, nameof(FomlTail), FomlTail, $"needs {nameof(Foml)}");
        Require(FomlTail is null || (FomlTail >= 1 && FomlTail < EffectiveTrainShots), nameof(FomlTail), FomlTail, $"must be in 1..{EffectiveTrainShots - 1} (training shots − 1)");
        AtLeast(Threads, 1);
        AtLeast(CheckpointInterval, 1);
        Require(!Replacement || InnerBatch <= Classes * EffectiveTrainShots, nameof(InnerBatch), InnerBatch,
            $"cannot exceed the {Classes * EffectiveTrainShots} samples of a task when {nameof(Replacement)} draws distinct samples");
    }

    private static void Require(bool ok, string property, object? value, string requirement)
    {
        if (!ok) throw new ArgumentOutOfRangeException(property, value, $"{nameof(FewShotOptions)}.{property} {requirement}.");
    }

    private static void AtLeast(int value, int minimum, [CallerArgumentExpression(nameof(value))] string property = "") =>
        Require(value >= minimum, property, value, $"must be at least {minimum}");

    private static void Fraction(float value, [CallerArgumentExpression(nameof(value))] string property = "") =>
        Require(value >= 0 && value <= 1, property, value, "is a fraction of the way towards the task weights, in [0, 1]");

    /// <summary>These options with the evaluation-only settings reset: two runs with equal training flags
    /// produce the same weights, so a checkpoint may be resumed under them.</summary>
    public FewShotOptions TrainingFlags() => this with
    {
        EvalSamples = 0, EvalInterval = 0, Transductive = false, Threads = 0, EvalBatch = 0, EvalIters = 0, Shots = EffectiveTrainShots, TrainShots = 0,
        CheckpointInterval = 0,
    };

    /// <summary>supervised-reptile's inner optimizer: Adam with β1 = 0, or plain SGD.</summary>
    public Optimizer CreateInnerOptimizer(int parameterCount) =>
        Sgd ? new Sgd(LearningRate) : new Adam(parameterCount, LearningRate, beta1: 0f);

    /// <summary>The outer loop's settings.</summary>
    public ReptileOptions ToReptileOptions() => new()
    {
        MetaBatch = MetaBatch,
        MetaStep = MetaStep,
        MetaStepFinal = MetaStepFinal,
        MetaIterations = MetaIters,
        Seed = (ulong)Seed,
        FirstOrderMaml = Foml,
        Threads = Threads,
        InnerState = InnerState,
        WeightDecayRate = WeightDecay,
    };

    /// <summary>The meta-training tasks: <see cref="Classes"/>-way, <see cref="EffectiveTrainShots"/> shots, with
    /// FOML's tail as the last batch.</summary>
    public FewShotTaskSampler CreateTrainingTasks(FewShotDataset trainSet) =>
        new(trainSet, Classes, EffectiveTrainShots, InnerBatch, InnerIters, Replacement, FomlTail ?? 0, heldOutIsLastBatch: true);

    /// <summary>φ's trainer over <paramref name="trainSet"/>'s tasks.</summary>
    public ReptileTrainer CreateTrainer(Sequential model, Optimizer innerOptimizer, FewShotDataset trainSet) =>
        new(model, innerOptimizer, CreateTrainingTasks(trainSet), ToReptileOptions());

    /// <summary>The evaluation protocol of these options.</summary>
    public FewShotEvaluator CreateEvaluator() =>
        new(Classes, Shots, EvalBatch, EvalIters, Replacement, Transductive, WeightDecay);

    /// <summary>
    /// These options as JSON (what checkpoints store under "options"; <see cref="FromJson"/> reads it back).
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(this, FewShotOptionsJson.Default.FewShotOptions);

    /// <summary>Options read back from <see cref="ToJson"/>'s text found in <paramref name="path"/>.</summary>
    public static FewShotOptions FromJson(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize(json, FewShotOptionsJson.Default.FewShotOptions)
                ?? throw new InvalidFileException(path, null, "options", "empty");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, null, "options", $"not valid options JSON ({e.Message})", e);
        }
    }
}

/// <summary>Source-generated JSON for <see cref="FewShotOptions"/> (no reflection: trimming and Native AOT safe).</summary>
[JsonSerializable(typeof(FewShotOptions))]
internal sealed partial class FewShotOptionsJson : JsonSerializerContext;
