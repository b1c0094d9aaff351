using Reptile.Meta;

namespace Reptile.Tests.Meta;

public class LearningCurveTests
{
    private static MetricsRow Row(int iteration, double? test, double? train) => new(iteration, 1f, 0.5f, train, test);

    [Fact]
    public void ALongRunIsDrawnAtAFewHundredPointsOfMovingAverages()
    {
        // 100 000 iterations, an evaluation every 10: test accuracy 0 for the first half, then 1.
        var metrics = Enumerable.Range(0, 100_000)
            .Select(i => i % 10 == 0 ? Row(i, i < 50_000 ? 0 : 1, 0.5) : Row(i, null, null)).ToArray();
        var (x, test, train, window) = LearningCurve.Points(metrics);
        Assert.Equal(200, window);
        Assert.InRange(x.Length, 200, LearningCurve.MaxPoints);
        Assert.Equal(99_990, x[^1]);
        Assert.All(train, v => Assert.Equal(0.5, v, 12));
        Assert.Equal(1.0, test[^1], 12);
        Assert.Equal(0.0, test[x.Length / 2 - 2], 12);
        // The drawn point 120 evaluations past the step averages 120 ones over a 200-wide window.
        int k = Array.IndexOf(x, 51_190.0);
        Assert.True(k > 0, "iteration 51 190 is drawn");
        Assert.Equal(0.6, test[k], 12);
    }

    [Fact]
    public void AShortRunKeepsEveryEvaluation()
    {
        var metrics = Enumerable.Range(0, 30).Select(i => Row(i * 10, i % 2, 1)).ToArray();
        var (x, test, _, window) = LearningCurve.Points(metrics);
        Assert.Equal(2, window);
        Assert.Equal(30, x.Length);
        Assert.Equal(0.0, test[0]);
        Assert.All(test.Skip(1), v => Assert.Equal(0.5, v, 12));
    }
}
