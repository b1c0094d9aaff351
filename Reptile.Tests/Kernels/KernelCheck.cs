using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;

namespace Reptile.Tests.Kernels;

/// <summary>Shared generators and comparisons for the kernel tests.</summary>
internal static class KernelCheck
{
    /// <summary>Lengths around the vector widths (4, 8, 16) plus longer random ones.</summary>
    public static readonly int[] EdgeLengths = [0, 1, 3, 4, 5, 7, 8, 9, 11, 12, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65];

    public static Gen<int> Length =>
        Gen.OneOf(Gen.Elements(EdgeLengths), Gen.Elements(EdgeLengths), Gen.Choose(100, 300));

    /// <summary>A length and a seed for the data.</summary>
    public static Arbitrary<(int Length, int Seed)> LengthAndSeed =>
        Gen.Zip(Length, Gen.Choose(0, int.MaxValue)).ToArbitrary();

    public static float[] Random(Random rng, int n, float lo = -2f, float hi = 2f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.NextSingle();
        return a;
    }

    /// <summary>|actual − expected| ≤ rtol·(|expected| + scale), scale covering terms that cancelled.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rtol = 1e-5, double scale = 1e-6, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Close(expected[i], actual[i], rtol, scale, $"{what}[{i}] (n={expected.Length}, path {Simd.Current})");
    }

    public static void Close(double expected, double actual, double rtol = 1e-5, double scale = 1e-6, string what = "")
    {
        double err = Math.Abs(actual - expected), tol = rtol * (Math.Abs(expected) + scale);
        if (!(err <= tol))
            throw new Xunit.Sdk.XunitException($"{what}: expected {expected:R}, got {actual:R} (error {err:E2} > {tol:E2}, path {Simd.Current})");
    }

    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);
}
