using Reptile.IO;

namespace Reptile.Meta;

/// <summary>Accuracy against meta-iterations from a run's metrics. Each eval interval's accuracy comes from a
/// single task (0, 0.2, …, 1 for 5-way), so the curve is its moving average over a window of intervals, drawn at
/// no more than <see cref="MaxPoints"/> points (a 100 000-iteration run has 10 000 intervals).</summary>
public static class LearningCurve
{
    /// <summary>The most points a curve is drawn with.</summary>
    public const int MaxPoints = 250;

    /// <summary>
    /// The test and training accuracy curves of <paramref name="metrics"/> (moving averages over the eval intervals),
    /// titled with the run's ways and shots.
    /// </summary>
    public static SvgChart Plot(IReadOnlyList<MetricsRow> metrics, FewShotOptions options)
    {
        var (x, test, train, window) = Points(metrics);
        return new SvgChart($"Reptile on Omniglot, {options.Classes}-way {options.Shots}-shot: accuracy during meta-training", "meta-iteration",
                $"accuracy (mean of {window} interval evaluations)")
            { YMin = 0, YMax = 1, Width = 820 }
            .Add("test (held-out characters)", x, test)
            .Add("train", x, train, SvgChart.Style.Dashed);
    }

    /// <summary>The drawn points: every stride-th interval evaluation (and the last), each the mean of the
    /// <c>Window</c> evaluations up to it.</summary>
    public static (double[] Iterations, double[] Test, double[] Train, int Window) Points(IReadOnlyList<MetricsRow> metrics)
    {
        var evals = metrics.Where(r => r.TestAccuracy.HasValue && r.TrainAccuracy.HasValue).ToArray();
        int window = Math.Clamp(evals.Length / 15, 1, 200);
        int stride = Math.Max(1, (evals.Length + MaxPoints - 1) / MaxPoints);
        var points = Enumerable.Range(0, evals.Length).Where(i => i % stride == stride - 1 || i == evals.Length - 1).ToArray();
        double[] Smooth(Func<MetricsRow, double> pick)
        {
            var prefix = new double[evals.Length + 1];
            for (int i = 0; i < evals.Length; i++) prefix[i + 1] = prefix[i] + pick(evals[i]);
            return points.Select(i => (prefix[i + 1] - prefix[Math.Max(0, i + 1 - window)]) / Math.Min(window, i + 1)).ToArray();
        }
        return (points.Select(i => (double)evals[i].Iteration).ToArray(), Smooth(r => r.TestAccuracy!.Value), Smooth(r => r.TrainAccuracy!.Value), window);
    }
}
