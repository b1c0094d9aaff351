using Reptile.IO;

namespace Reptile.Meta;

/// <summary>Accuracy against meta-iterations from a run's metrics. Each eval interval's accuracy comes from a
/// single task (0, 0.2, …, 1 for 5-way), so the curve is its moving average over a window of intervals.</summary>
public static class LearningCurve
{
    public static SvgChart Plot(IReadOnlyList<FewShotMetricsRow> metrics, FewShotOptions options)
    {
        var evals = metrics.Where(r => r.TestAccuracy.HasValue && r.TrainAccuracy.HasValue).ToArray();
        int window = Math.Clamp(evals.Length / 15, 1, 50);
        double[] Smooth(Func<FewShotMetricsRow, double> pick) =>
            Enumerable.Range(0, evals.Length)
                .Select(i => evals.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average(pick)).ToArray();
        var x = evals.Select(r => (double)r.Iteration).ToArray();
        return new SvgChart($"Reptile on Omniglot, {options.Classes}-way {options.Shots}-shot: accuracy during meta-training", "meta-iteration",
                $"accuracy (mean of {window} interval evaluations)")
            { YMin = 0, YMax = 1, Width = 820 }
            .Add("test (held-out characters)", x, Smooth(r => r.TestAccuracy!.Value))
            .Add("train", x, Smooth(r => r.TrainAccuracy!.Value), SvgChart.Style.Dashed);
    }
}
