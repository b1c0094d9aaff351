using System.Diagnostics;

namespace Reptile.Meta;

/// <summary>
/// The loop every experiment trains with: steps the trainer from where it stands to the planned total, records
/// each meta-iteration in the metrics log, runs the experiment's periodic work after each step (interval
/// evaluations, checkpoints) and reports progress after every step (displays throttle themselves).
/// </summary>
internal static class TrainingLoop
{
    /// <summary>Trains until <paramref name="total"/> meta-iterations are done; returns the seconds it took.</summary>
    /// <param name="trainer">The trainer, stepped from its current <see cref="ReptileTrainer.Iteration"/>.</param>
    /// <param name="metrics">Receives one row per meta-iteration.</param>
    /// <param name="total">The iteration to stop at.</param>
    /// <param name="afterStep">Called with each finished iteration's index and its row in <paramref name="metrics"/>.</param>
    /// <param name="progress">Receives the progress after every step, or null.</param>
    /// <param name="cancel">Checked before each meta-iteration: cancelling throws <see cref="OperationCanceledException"/>.</param>
    public static double Run(ReptileTrainer trainer, MetricsLog metrics, int total, Action<int, int>? afterStep,
        IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        int start = trainer.Iteration;
        for (int i = start; i < total; i++)
        {
            cancel.ThrowIfCancellationRequested();
            float metaStep = trainer.Options.MetaStepAt(i);
            float loss = trainer.Step();
            metrics.Add(new MetricsRow(i, metaStep, loss));
            afterStep?.Invoke(i, metrics.Count - 1);
            progress?.Report(new TrainingProgress(i + 1 - start, total - start, loss, clock.Elapsed));
        }
        return clock.Elapsed.TotalSeconds;
    }
}
