namespace Reptile.Meta;

/// <summary>A mean with the half-width of its normal-approximation 95% confidence interval.</summary>
/// <param name="Mean">The sample mean.</param>
/// <param name="Ci95">Half-width of the 95% interval: the mean is Mean ± Ci95.</param>
/// <param name="Count">Number of values.</param>
public readonly record struct MeanWithCi(double Mean, double Ci95, int Count)
{
    /// <summary>
    /// The mean of <paramref name="values"/> with 1.96 · sample standard deviation / √n (NaN for no values).
    /// </summary>
    public static MeanWithCi Of(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n == 0) return new MeanWithCi(double.NaN, double.NaN, 0);
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= n;
        double ss = 0;
        foreach (var v in values) ss += (v - mean) * (v - mean);
        double std = n > 1 ? Math.Sqrt(ss / (n - 1)) : 0;
        return new MeanWithCi(mean, 1.96 * std / Math.Sqrt(n), n);
    }

    /// <summary>"mean ± ci", e.g. "0.9494 ± 0.0043".</summary>
    public override string ToString() => $"{Mean:G4} ± {Ci95:G2}";
}
