using System.Diagnostics;
using System.Globalization;
using System.Text;
using Reptile.Data;
using Reptile.IO;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>One line of a few-shot run's metrics.csv.</summary>
public readonly record struct FewShotMetricsRow(int Iteration, float MetaStep, float Loss, double? TrainAccuracy, double? TestAccuracy);

/// <summary>
/// supervised-reptile's train() and evaluate() for few-shot classification: meta-train with Reptile (or FOML),
/// print `batch N: train=… test=…` every eval interval, checkpoint every 100 iterations and at the end
/// (resumable exactly), then measure accuracy over many tasks.
/// </summary>
public sealed class FewShotExperiment
{
    private const ulong IntervalStream = 0x1A7E, FinalStream = 0xF1A1;
    public const int CheckpointEvery = 100;

    private readonly List<FewShotMetricsRow> metrics = [];

    public FewShotOptions Options { get; }
    public FewShotDataset TrainSet { get; }
    public FewShotDataset TestSet { get; }
    public Sequential Model { get; }
    public Optimizer InnerOptimizer { get; }
    public ReptileTrainer Trainer { get; }
    public IReadOnlyList<FewShotMetricsRow> Metrics => metrics;

    public FewShotExperiment(FewShotOptions options, FewShotDataset trainSet, FewShotDataset testSet, Func<int, Sequential> modelFactory)
    {
        options.Validate();
        RequireEnough(trainSet, "training", options.Classes, options.EffectiveTrainShots);
        RequireEnough(trainSet, "training", options.Classes, options.Shots + 1);
        RequireEnough(testSet, "test", options.Classes, options.Shots + 1);
        (Options, TrainSet, TestSet) = (options, trainSet, testSet);
        Model = modelFactory(options.Classes).Initialize(new Rng((ulong)options.Seed));
        InnerOptimizer = options.Sgd ? new Sgd(options.LearningRate) : new Adam(Model.ParameterCount, options.LearningRate, beta1: 0f);
        var innerLoop = new FewShotInnerLoop(trainSet, options.Classes, options.EffectiveTrainShots, options.InnerBatch, options.InnerIters,
            options.Replacement, options.WeightDecay, options.FomlTail);
        Trainer = new ReptileTrainer(Model, InnerOptimizer, innerLoop, new ReptileOptions
        {
            MetaBatch = options.MetaBatch,
            MetaStep = options.MetaStep,
            MetaStepFinal = options.MetaStepFinal,
            MetaIterations = options.MetaIters,
            Seed = (ulong)options.Seed,
            FirstOrderMaml = options.Foml,
            Threads = options.Threads,
            InnerState = options.InnerState,
        });
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

    public FewShotEvaluator Evaluator => new(Options.Classes, Options.Shots, Options.EvalBatch, Options.EvalIters,
        Options.Replacement, Options.Transductive, Options.WeightDecay);

    /// <summary>Continues from the checkpoint in <paramref name="folder"/> (weights, optimizer state, iteration, metrics).</summary>
    public void Resume(string folder)
    {
        var info = ReptileCheckpoint.Load(folder, Model, InnerOptimizer);
        if (info.Metadata.TryGetValue("options", out var json))
        {
            if (FewShotOptions.FromJson(json).TrainingFlags() != Options.TrainingFlags())
                throw new ArgumentException($"The checkpoint in {folder} was made with other flags ({json}); resume with the same flags.");
        }
        Trainer.Iteration = info.Iteration;
        metrics.Clear();
        metrics.AddRange(ReadMetrics(Path.Combine(folder, "metrics.csv")).Where(r => r.Iteration < info.Iteration));
    }

    /// <summary>Meta-trains until <see cref="FewShotOptions.MetaIters"/>, checkpointing into <paramref name="checkpointFolder"/>.</summary>
    public double Train(string? checkpointFolder, Action<string>? log, IProgress<TrainingProgress>? progress, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        int start = Trainer.Iteration;
        using var interval = new IntervalEvaluation(this, log);
        try
        {
            for (int i = start; i < Options.MetaIters; i++)
            {
                cancel.ThrowIfCancellationRequested();
                float metaStep = Trainer.Options.MetaStepAt(i);
                float loss = Trainer.Step();
                metrics.Add(new FewShotMetricsRow(i, metaStep, loss, null, null));
                if (i % Options.EvalInterval == 0) interval.Start(i, metrics.Count - 1);
                if (checkpointFolder != null && (i % CheckpointEvery == 0 || i == Options.MetaIters - 1))
                {
                    interval.Finish();
                    SaveCheckpoint(checkpointFolder);
                }
                progress?.Report(new TrainingProgress(i + 1 - start, Options.MetaIters - start, loss, clock.Elapsed));
            }
        }
        finally
        {
            interval.Finish();
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The one-task-per-set evaluation every eval interval (supervised-reptile's `batch N: train=… test=…`).
    /// It runs on a snapshot of φ and the inner optimizer state, so with more than one thread it overlaps
    /// the following meta-iterations instead of stalling them; the numbers are the same either way.
    /// </summary>
    private sealed class IntervalEvaluation(FewShotExperiment run, Action<string>? log) : IDisposable
    {
        private readonly FewShotEvaluator evaluator = run.Evaluator;
        private readonly Sequential snapshot = run.Model.Clone();
        private readonly Optimizer snapshotOptimizer = run.InnerOptimizer.Clone();
        private readonly FewShotEvaluator.Worker worker = new(run.Model, run.InnerOptimizer);
        private Task? pending;
        private int iteration, row;
        private double trainAccuracy, testAccuracy;

        public void Start(int iteration, int row)
        {
            Finish();
            (this.iteration, this.row) = (iteration, row);
            snapshot.SetParameters(run.Model.Parameters);
            snapshotOptimizer.CopyStateFrom(run.InnerOptimizer);
            if (run.Options.Threads > 1)
            {
                var path = Kernels.Simd.Forced; // the background evaluation computes on this thread's SIMD path
                pending = Task.Run(() =>
                {
                    using var adopted = Kernels.Simd.Adopt(path);
                    Evaluate();
                });
            }
            else { Evaluate(); Report(); }
        }

        /// <summary>Waits for a running evaluation and records it (before a checkpoint, the next evaluation, the end).</summary>
        public void Finish()
        {
            if (pending == null) return;
            var task = pending;
            pending = null;
            task.GetAwaiter().GetResult();
            Report();
        }

        private void Evaluate()
        {
            ulong seed = (ulong)run.Options.Seed;
            trainAccuracy = evaluator.EvaluateTask(worker, run.TrainSet, snapshot, snapshotOptimizer, Rng.Derive(seed, IntervalStream, (ulong)iteration, 0)) / (double)run.Options.Classes;
            testAccuracy = evaluator.EvaluateTask(worker, run.TestSet, snapshot, snapshotOptimizer, Rng.Derive(seed, IntervalStream, (ulong)iteration, 1)) / (double)run.Options.Classes;
        }

        private void Report()
        {
            run.metrics[row] = run.metrics[row] with { TrainAccuracy = trainAccuracy, TestAccuracy = testAccuracy };
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"batch {iteration}: train={trainAccuracy:F6} test={testAccuracy:F6}"));
        }

        public void Dispose()
        {
            // An exception already on its way out must not be replaced by a wait on the evaluation.
            try { pending?.Wait(); } catch (AggregateException) { }
        }
    }

    public void SaveCheckpoint(string folder)
    {
        ReptileCheckpoint.Save(folder, Model, InnerOptimizer, Trainer.Iteration, new Dictionary<string, string>
        {
            ["options"] = Options.ToJson(),
            ["seed"] = Options.Seed.ToString(CultureInfo.InvariantCulture),
            ["model"] = $"{Options.Classes}-way",
        });
        WriteMetrics(Path.Combine(folder, "metrics.csv"));
    }

    /// <summary>Final accuracy over <see cref="FewShotOptions.EvalSamples"/> tasks of <paramref name="dataset"/>.</summary>
    public MeanWithCi Evaluate(FewShotDataset dataset, bool isTestSet, IProgress<int>? progress = null) =>
        Evaluator.Evaluate(dataset, Model, InnerOptimizer, Options.EvalSamples,
            k => Rng.Derive((ulong)Options.Seed, FinalStream, isTestSet ? 1UL : 0UL, (ulong)k), Options.Threads, progress);

    private void WriteMetrics(string path)
    {
        var csv = new StringBuilder("iteration,meta_step,train_loss,train_accuracy,test_accuracy\n");
        foreach (var r in metrics)
            csv.Append(CultureInfo.InvariantCulture, $"{r.Iteration},{r.MetaStep:G6},{r.Loss:G6},{r.TrainAccuracy},{r.TestAccuracy}\n");
        AtomicFile.WriteAllText(path, csv.ToString());
    }

    /// <summary>Reads a metrics.csv written by a run (none if the file is absent).</summary>
    public static IEnumerable<FewShotMetricsRow> ReadMetrics(string path)
    {
        if (!File.Exists(path)) yield break;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length != 5) throw new InvalidDataException($"{path}: malformed metrics line '{line}'.");
            double? Opt(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);
            yield return new FewShotMetricsRow(int.Parse(f[0], CultureInfo.InvariantCulture), float.Parse(f[1], CultureInfo.InvariantCulture),
                float.Parse(f[2], CultureInfo.InvariantCulture), Opt(f[3]), Opt(f[4]));
        }
    }
}
