using System.Globalization;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// supervised-reptile's train() and evaluate() for few-shot classification: meta-train with Reptile (or FOML),
/// print `batch N: train=… test=…` every eval interval, checkpoint every <see cref="FewShotOptions.CheckpointInterval"/>
/// iterations and at the end (resumable exactly), then measure accuracy over many tasks.
/// </summary>
public sealed class FewShotExperiment
{
    private const ulong FinalStream = 0xF1A1;

    /// <summary>The run's settings (validated by the constructor).</summary>
    public FewShotOptions Options { get; }
    /// <summary>The meta-training classes.</summary>
    public FewShotDataset TrainSet { get; }
    /// <summary>Held-out classes for the interval evaluations, or null to train without a test set.</summary>
    public FewShotDataset? TestSet { get; }
    /// <summary>The model being meta-trained: φ is its <see cref="Sequential.Parameters"/>.</summary>
    public Sequential Model { get; }
    /// <summary>
    /// The inner-loop optimizer, whose state (Adam's moments) is part of the run and of its checkpoints.
    /// </summary>
    public Optimizer InnerOptimizer { get; }
    /// <summary>
    /// The outer loop; <see cref="Train"/> drives it, and <see cref="ReptileTrainer.Iteration"/> says how far it is.
    /// </summary>
    public ReptileTrainer Trainer { get; }
    /// <summary>
    /// One row per meta-iteration done (loss, and accuracies where evaluated), saved with each checkpoint as
    /// metrics.csv.
    /// </summary>
    public MetricsLog Metrics { get; } = new();
    /// <summary>The processes sharing this run (null: this process alone). Each process divides the meta-batch and
    /// the evaluation tasks with the others; rank 0 alone runs the interval evaluations and writes checkpoints.</summary>
    public IProcessGroup? Group { get; }
    private bool IsLeader => Group == null || Group.Rank == 0;

    /// <param name="options">The run's settings.</param>
    /// <param name="trainSet">Meta-training classes.</param>
    /// <param name="testSet">Held-out classes for the interval evaluations, or null.</param>
    /// <param name="modelFactory">Builds the model for a number of classes.</param>
    /// <param name="group">Processes to share the run with (every one must construct the experiment with the same
    /// options and data); requires <see cref="InnerStateMode.Averaged"/>.</param>
    public FewShotExperiment(FewShotOptions options, FewShotDataset trainSet, FewShotDataset? testSet, Func<int, Sequential> modelFactory,
        IProcessGroup? group = null)
    {
        options.Validate();
        RequireEnough(trainSet, "training", options.Classes, options.EffectiveTrainShots);
        RequireEnough(trainSet, "training", options.Classes, options.Shots + 1);
        if (testSet != null) RequireEnough(testSet, "test", options.Classes, options.Shots + 1);
        (Options, TrainSet, TestSet) = (options, trainSet, testSet);
        Model = modelFactory(options.Classes).Initialize(new Rng((ulong)options.Seed));
        InnerOptimizer = options.CreateInnerOptimizer(Model.ParameterCount);
        if (group != null && options.InnerState != InnerStateMode.Averaged)
            throw new ArgumentException(DistributedScheduler.ChainedStateRefusal, nameof(options));
        Group = group;
        Trainer = new ReptileTrainer(Model, InnerOptimizer, options.CreateTrainingTasks(trainSet), options.ToReptileOptions(),
            group == null ? null : new DistributedScheduler(group, options.Threads));
    }

    /// <summary>Fails before training, naming the class, rather than deep inside a run.</summary>
    private static void RequireEnough(FewShotDataset set, string which, int ways, int perClass)
    {
        if (set.Classes.Count < ways)
            throw new ArgumentException($"The {which} set has {set.Classes.Count} classes; {ways}-way tasks need at least {ways}.");
        var small = set.Classes.FirstOrDefault(c => c.ImageCount < perClass);
        if (small != null)
            throw new ArgumentException($"Class '{small.Name}' of the {which} set has {small.ImageCount} images; tasks need {perClass} per class.");
    }

    /// <summary>The evaluation protocol of <see cref="Options"/> (a new instance each time).</summary>
    public FewShotEvaluator Evaluator => Options.CreateEvaluator();

    /// <summary>Continues from the checkpoint in <paramref name="folder"/> (weights, optimizer state, iteration, metrics).</summary>
    /// <remarks>In a process group, rank 0 reads the checkpoint and sends the state to the others (which need not see the folder).</remarks>
    public void Resume(string folder)
    {
        if (!IsLeader)
        {
            Trainer.Iteration = ShareState(); // rank 0 sends: its iteration, φ and optimizer state
            return;
        }
        var checkpoint = ReptileCheckpoint.Load(folder, Model, InnerOptimizer);
        if (checkpoint.Metadata.TryGetValue("options", out var json)
            && FewShotOptions.FromJson(json, checkpoint.ModelPath).TrainingFlags() != Options.TrainingFlags())
            throw new ArgumentException($"The checkpoint in {folder} was made with other training options ({json}); resume with the same ones.");
        Trainer.Iteration = checkpoint.Iteration;
        Metrics.ReplaceWith(checkpoint.Metrics);
        if (Group != null) ShareState();
    }

    /// <summary>Rank 0's iteration, φ and inner optimizer state, copied to every process; returns the iteration.</summary>
    private int ShareState()
    {
        var group = Group!;
        Span<long> counters = [Trainer.Iteration, InnerOptimizer.StepCount];
        group.Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(counters), 0);
        group.Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Model.Parameters.AsSpan()), 0);
        foreach (var (_, values) in InnerOptimizer.State)
            group.Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), 0);
        InnerOptimizer.StepCount = counters[1];
        return (int)counters[0];
    }

    /// <summary>Meta-trains until <see cref="FewShotOptions.MetaIters"/> meta-iterations are done (or, to train in pieces,
    /// until <paramref name="stopAt"/>), checkpointing into <paramref name="checkpointFolder"/>, at the end too.</summary>
    /// <remarks>In a process group, every process calls this; only rank 0 evaluates intervals and writes checkpoints.</remarks>
    public double Train(string? checkpointFolder, Action<string>? log, IProgress<TrainingProgress>? progress, CancellationToken cancel = default,
        int? stopAt = null)
    {
        int end = Math.Min(stopAt ?? Options.MetaIters, Options.MetaIters);
        if (!IsLeader) return TrainingLoop.Run(Trainer, Metrics, end, null, progress, cancel);
        using var interval = new IntervalEvaluation(Options, TrainSet, TestSet, Model, InnerOptimizer, Metrics, log);
        try
        {
            return TrainingLoop.Run(Trainer, Metrics, end, (i, row) =>
            {
                if (i % Options.EvalInterval == 0) interval.Start(i, row);
                if (checkpointFolder != null && (i % Options.CheckpointInterval == 0 || i == end - 1))
                {
                    interval.Finish(); // the checkpoint's metrics hold every finished evaluation
                    SaveCheckpoint(checkpointFolder);
                }
            }, progress, cancel);
        }
        finally
        {
            interval.Finish();
        }
    }

    /// <summary>Writes weights, inner optimizer state and metrics as one checkpoint (see <see cref="ReptileCheckpoint"/>).</summary>
    public void SaveCheckpoint(string folder) =>
        ReptileCheckpoint.Save(folder, Model, InnerOptimizer, Trainer.Iteration, Metrics, new Dictionary<string, string>
        {
            ["options"] = Options.ToJson(),
            ["seed"] = Options.Seed.ToString(CultureInfo.InvariantCulture),
            ["model"] = $"{Options.Classes}-way",
            [ModelDescription.MetadataKey] = ModelDescription.Of(Model, TrainSet, Options).ToJson(),
        });

    /// <summary>Final accuracy over <see cref="FewShotOptions.EvalSamples"/> tasks of <paramref name="dataset"/>.</summary>
    public MeanWithCi Evaluate(FewShotDataset dataset, bool isTestSet, IProgress<int>? progress = null) =>
        Evaluator.Evaluate(dataset, Model, InnerOptimizer, Options.EvalSamples,
            (k, rng) => rng.Reseed((ulong)Options.Seed, FinalStream, isTestSet ? 1UL : 0UL, (ulong)k), Options.Threads, progress, Group);
}
