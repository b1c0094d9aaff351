using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;
using Reptile.Tests.Support;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class MetaUpdateTests
{
    private static Arbitrary<(int Length, int Count, int Seed)> Shapes =>
        (from n in Length from k in Gen.Choose(1, 7) from seed in Gen.Choose(0, int.MaxValue) select (n, k, seed)).ToArbitrary();

    [Fact]
    public void InterpolateManyMatchesReference() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        var phi = Random(rng, s.Length);
        var ws = Enumerable.Range(0, s.Count).Select(_ => Random(rng, s.Length)).ToArray();
        float eps = rng.NextSingle();
        var expected = new double[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            double mean = ws.Sum(w => (double)w[i]) / s.Count;
            expected[i] = phi[i] + eps * (mean - phi[i]);
        }
        MetaUpdate.Interpolate(phi, ws, eps);
        Close(expected, phi, 1e-5, 1);
    }, everyPath: true);

    [Fact]
    public void InterpolateOneMatchesReference() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var phi = Random(rng, s.Length);
        var w = Random(rng, s.Length);
        float eps = rng.NextSingle();
        var expected = new double[s.Length];
        for (int i = 0; i < s.Length; i++) expected[i] = phi[i] + eps * ((double)w[i] - phi[i]);
        MetaUpdate.Interpolate(phi, w, eps);
        Close(expected, phi, 1e-5, 1);
    }, everyPath: true);

    [Fact]
    public void EpsilonOneLandsOnTheMean()
    {
        SimdPaths.ForEach(path =>
        {
            var phi = Random(new Random(1), 37);
            var w = Random(new Random(2), 37);
            MetaUpdate.Interpolate(phi, [w, w], 1f);
            Assert.Equal(w, phi);
        });
    }

    [Fact]
    public void InterpolateReportsWhetherEveryResultIsFinite()
    {
        SimdPaths.ForEach(path =>
        {
            foreach (int n in EdgeLengths.Where(n => n > 0).Append(200))
            {
                var w = Random(new Random(n), n);
                Assert.True(MetaUpdate.Interpolate(Random(new Random(1), n), [w, w], 0.5f), $"{path}, n = {n}");
                foreach (int at in new[] { 0, n / 2, n - 1 })
                    foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                    {
                        var broken = (float[])w.Clone();
                        broken[at] = bad;
                        Assert.False(MetaUpdate.Interpolate(Random(new Random(1), n), [w, broken], 0.5f), $"{path}, n = {n}, {bad} at {at}");
                    }
            }
        });
    }

    [Fact]
    public void LengthMismatchThrows()
    {
        Assert.Throws<ArgumentException>(() => MetaUpdate.Interpolate(new float[3], new float[4], 0.1f));
        Assert.Throws<ArgumentException>(() => MetaUpdate.Interpolate(new float[3], [new float[3], new float[2]], 0.1f));
        Assert.Throws<ArgumentException>(() => MetaUpdate.Interpolate(new float[3], ReadOnlySpan<float[]>.Empty, 0.1f));
    }
}
