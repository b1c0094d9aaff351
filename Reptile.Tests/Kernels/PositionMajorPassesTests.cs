using Reptile.Kernels;
using Reptile.Tests.Support;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

/// <summary>
/// The per-channel passes over position-major rows: the same bits on every SIMD path as on the scalar one and for any
/// cut of the channels (lanes are channels), and the values of the channel-major batch-norm kernel.
/// </summary>
public unsafe class PositionMajorPassesTests
{
    private sealed record Case(int Rows, int Channels, float[] X, float[] Y, float[] Dy, float[] Dx, float[] Gamma, float[] Beta,
        float[] Mean, float[] InvStd, float[] DGamma, float[] DBeta, float[] Total, bool Relu);

    private static Case Draw(Rng rng)
    {
        int rows = rng.Pick(0, 1, 3, 7, 255, 256, 257, 600), channels = rng.Pick(1, 3, 4, 8, 15, 16, 17, 32, 33, 40, 64);
        var random = new Random(rng.NextInt(int.MaxValue));
        float offset = rng.Pick(0f, 50f); // far above the spread: the corrected two-pass must still find the variance
        return new Case(rows, channels, Array.ConvertAll(Random(random, rows * channels), v => v + offset), new float[rows * channels],
            Random(random, rows * channels), Random(random, rows * channels), Random(random, channels), Random(random, channels),
            new float[channels], new float[channels], Random(random, channels), Random(random, channels), Random(random, channels),
            rng.Pick(false, true));
    }

    /// <summary>Forward, backward (in place on copies) and the sum over channels [c0, c1) of a case.</summary>
    private static Case Run(Case c, int c0, int c1, Case? into = null)
    {
        var r = into ?? c with
        {
            Y = new float[c.Y.Length], Dy = (float[])c.Dy.Clone(), Dx = (float[])c.Dx.Clone(), Mean = new float[c.Channels],
            InvStd = new float[c.Channels], DGamma = (float[])c.DGamma.Clone(), DBeta = (float[])c.DBeta.Clone(), Total = (float[])c.Total.Clone(),
        };
        fixed (float* x = r.X, y = r.Y, dy = r.Dy, dx = r.Dx, g = r.Gamma, b = r.Beta, mean = r.Mean, inv = r.InvStd, dg = r.DGamma,
               db = r.DBeta, total = r.Total)
        {
            PositionMajorPasses.BatchNormForward(x, r.Rows, r.Channels, c0, c1, g, b, 1e-3f, y, mean, inv, r.Relu);
            PositionMajorPasses.BatchNormBackward(x, y, dy, r.Rows, r.Channels, c0, c1, mean, inv, g, dx, dg, db, r.Relu);
            PositionMajorPasses.Sum(dx, r.Rows, r.Channels, c0, c1, total);
        }
        return r;
    }

    private static void AssertSameBits(Case expected, Case actual, string where)
    {
        foreach (var (name, e, a) in new[] { ("y", expected.Y, actual.Y), ("dy", expected.Dy, actual.Dy), ("dx", expected.Dx, actual.Dx),
                     ("mean", expected.Mean, actual.Mean), ("invStd", expected.InvStd, actual.InvStd), ("dgamma", expected.DGamma, actual.DGamma),
                     ("dbeta", expected.DBeta, actual.DBeta), ("total", expected.Total, actual.Total) })
            Assert.True(e.AsSpan().SequenceEqual(a), $"{name} differs: {where}");
    }

    [Fact]
    public void EveryPathAndEveryCutGiveTheScalarBits() => Property.ForAll(rng =>
    {
        var c = Draw(rng);
        Case reference;
        using (Simd.Force(SimdPath.Scalar)) reference = Run(c, 0, c.Channels);
        int cut = rng.NextInt(c.Channels + 1);
        SimdPaths.ForEach(path =>
        {
            string where = $"{c.Rows} rows of {c.Channels}, relu {c.Relu}, {path}";
            AssertSameBits(reference, Run(c, 0, c.Channels), where);
            var parts = Run(c, 0, cut);
            Run(c, cut, c.Channels, parts);
            AssertSameBits(reference, parts, where + $", cut at {cut}");
        });
    }, runs: 40);

    [Fact]
    public void BatchNormGivesTheChannelMajorKernelsValues() => Property.ForAll(rng =>
    {
        var c = Draw(rng);
        int rows = c.Rows, channels = c.Channels;
        var r = Run(c, 0, channels);
        // The channel-major kernel on the same values laid [channel][row], validated against double sums elsewhere.
        float[] T(float[] rowsMajor) => Enumerable.Range(0, channels * rows).Select(i => rowsMajor[(i % Math.Max(rows, 1)) * channels + i / Math.Max(rows, 1)]).ToArray();
        var x = T(c.X);
        var y = new float[x.Length]; var mean = new float[channels]; var inv = new float[channels];
        BatchNorm.Forward(x, channels, rows, c.Gamma, c.Beta, 1e-3f, y, mean, inv, c.Relu);
        var dy = T(c.Dy);
        if (c.Relu) Activations.ReluMask(y, dy);
        var dx = T(c.Dx); var dg = (float[])c.DGamma.Clone(); var db = (float[])c.DBeta.Clone();
        BatchNorm.Backward(x, mean, inv, dy, c.Gamma, channels, rows, dx, dg, db);
        float spread = 2 + Math.Abs(c.X.DefaultIfEmpty(0).Max());
        // |error| ≤ rtol·(|expected| + scale): a few ulp of the data for the mean, of the terms' magnitudes for sums.
        Close(ToDouble(mean), r.Mean, 1e-6, spread, "mean");
        Close(ToDouble(inv), r.InvStd, 1e-4, 0, "invStd");
        Close(ToDouble(y), T(r.Y), 1e-4, 4, "y");
        Close(ToDouble(dg), r.DGamma, 1e-5, 8 * (1 + rows), "dgamma");
        Close(ToDouble(db), r.DBeta, 1e-5, 4 * (1 + rows), "dbeta");
        Close(ToDouble(dx), T(r.Dx), 1e-4, 16, "dx");
    }, runs: 40);
}
