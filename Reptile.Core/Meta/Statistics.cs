namespace Reptile.Meta;

/// <summary>A mean with the half-width of its normal-approximation 95% confidence interval.</summary>
public readonly record struct MeanWithCi(double Mean, double Ci95, int Count)
{
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

    public override string ToString() => $"{Mean:G4} ± {Ci95:G2}";
}
