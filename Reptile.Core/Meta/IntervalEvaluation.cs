using System.Globalization;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Optim;
using Reptile.Threading;

namespace Reptile.Meta;

/// <summary>
/// The one-task-per-set evaluation every eval interval (supervised-reptile's `batch N: train=… test=…`). It runs
/// on a snapshot of φ and the inner optimizer state, so with more than one thread it overlaps the following
/// meta-iterations instead of stalling them; the numbers are the same either way.
/// </summary>
internal sealed class IntervalEvaluation : IDisposable
{
    private const ulong Stream = 0x1A7E;
    private readonly FewShotEvaluator evaluator;
    private readonly FewShotDataset trainSet;
    private readonly FewShotDataset? testSet;
    private readonly Sequential model, snapshot;
    private readonly Optimizer optimizer, snapshotOptimizer;
    private readonly FewShotEvaluator.Worker worker;
    private readonly MetricsLog metrics;
    private readonly Action<string>? log;
    private readonly ulong seed;
    private readonly bool background;
    private Task? pending;
    private int iteration, row;
    private double trainAccuracy;
    private double? testAccuracy;

    public IntervalEvaluation(FewShotOptions options, FewShotDataset trainSet, FewShotDataset? testSet, Sequential model, Optimizer optimizer,
        MetricsLog metrics, Action<string>? log)
    {
        (evaluator, this.trainSet, this.testSet, this.model, this.optimizer, this.metrics, this.log) =
            (options.CreateEvaluator(), trainSet, testSet, model, optimizer, metrics, log);
        (seed, background) = ((ulong)options.Seed, options.Threads > 1);
        snapshot = model.Clone();
        snapshotOptimizer = optimizer.Clone();
        worker = new FewShotEvaluator.Worker(model, optimizer);
    }

    /// <summary>Evaluates φ as it is after meta-iteration <paramref name="iteration"/> (metrics row <paramref name="row"/>).</summary>
    public void Start(int iteration, int row)
    {
        Finish();
        (this.iteration, this.row) = (iteration, row);
        snapshot.SetParameters(model.Parameters);
        snapshotOptimizer.CopyStateFrom(optimizer);
        if (background)
        {
            pending = WorkerPool.InBackground(Evaluate);
        }
        else { Evaluate(); Record(); }
    }

    /// <summary>Waits for a running evaluation and records it (before a checkpoint, the next evaluation, the end).</summary>
    public void Finish()
    {
        if (pending == null) return;
        var task = pending;
        pending = null;
        task.GetAwaiter().GetResult();
        Record();
    }

    private void Evaluate()
    {
        trainAccuracy = Accuracy(trainSet, 0);
        testAccuracy = testSet == null ? null : Accuracy(testSet, 1);
    }

    private double Accuracy(FewShotDataset set, ulong which)
    {
        worker.Rng.Reseed(seed, Stream, (ulong)iteration, which);
        return evaluator.EvaluateTask(worker, set, snapshot, snapshotOptimizer, worker.Rng) / (double)evaluator.Ways;
    }

    private void Record()
    {
        metrics.SetAccuracy(row, trainAccuracy, testAccuracy);
        log?.Invoke(testAccuracy is { } test
            ? string.Create(CultureInfo.InvariantCulture, $"batch {iteration}: train={trainAccuracy:F6} test={test:F6}")
            : string.Create(CultureInfo.InvariantCulture, $"batch {iteration}: train={trainAccuracy:F6}"));
    }

    public void Dispose()
    {
        // An exception already on its way out must not be replaced by a wait on the evaluation.
        try { pending?.Wait(); } catch (AggregateException) { }
    }
}
