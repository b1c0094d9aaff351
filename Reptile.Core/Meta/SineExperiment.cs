using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>The sine-wave protocol of the authors' demo, end to end: meta-train, then compare the learned
/// initialisation with a random one on fresh tasks.</summary>
public sealed record SineExperimentOptions
{
    /// <summary>Meta-iterations to train (the demo: 30 000).</summary>
    public int MetaIterations { get; init; } = 30_000;
    /// <summary>Seed of every random draw: initialisation, tasks, batches, evaluation tasks.</summary>
    public ulong Seed { get; init; }
    /// <summary>Step size of the inner SGD, in training and evaluation alike (0.02).</summary>
    public float InnerLearningRate { get; init; } = 0.02f;
    /// <summary>ε at the start, in (0, 1]; it anneals linearly to 0.</summary>
    public float MetaStep { get; init; } = 0.1f;
    /// <summary>Tasks per meta-iteration (the authors' demo: 1).</summary>
    public int MetaBatch { get; init; } = 1;
    /// <summary>Fresh tasks the two initialisations are compared on (1000).</summary>
    public int EvaluationTasks { get; init; } = 1000;
    /// <summary>Grid points each evaluation task is fine-tuned on, 1 … 50 (10).</summary>
    public int EvaluationShots { get; init; } = 10;
    /// <summary>Full-batch SGD steps of fine-tuning (32).</summary>
    public int EvaluationSteps { get; init; } = 32;

    /// <summary>The outer loop's settings: ε annealed linearly from <see cref="MetaStep"/> to 0.</summary>
    public ReptileOptions ToReptileOptions() => new()
    {
        MetaIterations = MetaIterations,
        MetaStep = MetaStep,
        MetaStepFinal = 0f,
        Seed = Seed,
        MetaBatch = MetaBatch,
        // Plain SGD keeps no state, so chained and averaged inner state are the same run; averaged lets the tasks
        // run anywhere (threads, MPI ranks).
        InnerState = InnerStateMode.Averaged,
    };

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MetaIterations < 1) throw new ArgumentOutOfRangeException(nameof(MetaIterations), MetaIterations, "at least one meta-iteration");
        if (!(InnerLearningRate > 0) || !float.IsFinite(InnerLearningRate)) throw new ArgumentOutOfRangeException(nameof(InnerLearningRate), InnerLearningRate, "must be a positive number");
        if (!(MetaStep > 0) || MetaStep > 1) throw new ArgumentOutOfRangeException(nameof(MetaStep), MetaStep, "must be in (0, 1]");
        if (MetaBatch < 1) throw new ArgumentOutOfRangeException(nameof(MetaBatch), MetaBatch, "at least one task per meta-iteration");
        if (EvaluationTasks < 1) throw new ArgumentOutOfRangeException(nameof(EvaluationTasks), EvaluationTasks, "at least one evaluation task");
        if (EvaluationShots < 1 || EvaluationShots > SineWaveTask.GridSize) throw new ArgumentOutOfRangeException(nameof(EvaluationShots), EvaluationShots, $"must be in 1..{SineWaveTask.GridSize}");
        if (EvaluationSteps < 0) throw new ArgumentOutOfRangeException(nameof(EvaluationSteps), EvaluationSteps, "cannot be negative");
    }
}

/// <summary>What <see cref="SineExperiment.Run"/> measured.</summary>
/// <param name="Options">The settings of the run.</param>
/// <param name="ReptileMse">Grid MSE after fine-tuning from the meta-learned initialisation, over the evaluation
/// tasks.</param>
/// <param name="RandomMse">The same from the random initialisation the run started with: the baseline.</param>
/// <param name="TrainSeconds">Wall-clock time of meta-training, in seconds.</param>
/// <param name="Metrics">One row per meta-iteration.</param>
/// <param name="Example">Evaluation task 0 in detail (support points, predictions before and after fine-tuning), for
/// the figure.</param>
/// <param name="Model">The meta-trained model.</param>
public sealed record SineExperimentResult(
    SineExperimentOptions Options,
    MeanWithCi ReptileMse,
    MeanWithCi RandomMse,
    double TrainSeconds,
    MetricsLog Metrics,
    SineEvaluator.Episode Example,
    Sequential Model);

/// <summary>The authors' sine-wave demo as one call.</summary>
public static class SineExperiment
{
    /// <summary>Meta-trains and evaluates; with a process <paramref name="group"/>, the ranks share each meta-batch.</summary>
    public static SineExperimentResult Run(SineExperimentOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default,
        IProcessGroup? group = null)
    {
        options.Validate();
        var model = Models.SineMlp().Initialize(new Rng(options.Seed));
        var randomInit = model.Clone();
        var trainer = new ReptileTrainer(model, new Sgd(options.InnerLearningRate), new SineTaskSampler(), options.ToReptileOptions(),
            group == null ? null : new DistributedScheduler(group));
        var metrics = new MetricsLog();
        double trainSeconds = TrainingLoop.Run(trainer, metrics, options.MetaIterations, null, progress, cancel);

        var evaluator = new SineEvaluator(options.EvaluationShots, options.EvaluationSteps, options.InnerLearningRate);
        var reptile = evaluator.Evaluate(model, options.Seed, options.EvaluationTasks);
        var random = evaluator.Evaluate(randomInit, options.Seed, options.EvaluationTasks);
        var example = evaluator.Run(model, model.Clone(), options.Seed, 0);
        return new SineExperimentResult(options, reptile, random, trainSeconds, metrics, example, model);
    }
}
