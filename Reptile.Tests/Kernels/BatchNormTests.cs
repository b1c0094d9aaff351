using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class BatchNormTests
{
    private static Arbitrary<(int Channels, int Plane, int Seed)> Shapes =>
        (from c in Gen.Choose(0, 4) from p in Gen.OneOf(Length, Gen.Choose(1500, 2100)) from seed in Gen.Choose(0, int.MaxValue) select (c, p, seed)).ToArbitrary();

    [Fact]
    public void ForwardMatchesReference() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        int C = s.Channels, P = s.Plane;
        // An offset far larger than the spread: one-pass E[x²]−E[x]² would lose the variance here.
        float offset = rng.Next(2) == 0 ? 0f : 100f;
        var x = Array.ConvertAll(Random(rng, C * P), v => v + offset);
        var gamma = Random(rng, C); var beta = Random(rng, C);
        const float eps = 1e-5f;
        var y = new float[x.Length]; var mean = new float[C]; var inv = new float[C];
        BatchNorm.Forward(x, C, P, gamma, beta, eps, y, mean, inv);
        for (int c = 0; c < C; c++)
        {
            if (P == 0) continue;
            double m = 0, v = 0;
            for (int i = 0; i < P; i++) m += x[c * P + i];
            m /= P;
            for (int i = 0; i < P; i++) v += (x[c * P + i] - m) * (x[c * P + i] - m);
            v /= P;
            double invStd = 1 / Math.Sqrt(v + eps);
            Close(m, mean[c], 1e-7, 2 + offset, $"mean[{c}]"); // a few ulp of the data
            Close(invStd, inv[c], 1e-4, 0, $"invStd[{c}]");
            var eh = new double[P]; var ey = new double[P];
            for (int i = 0; i < P; i++) { eh[i] = (x[c * P + i] - m) * invStd; ey[i] = gamma[c] * eh[i] + beta[c]; }
            // Relative to the spread: x − mean already carries x's own rounding (offset·2^-24).
            Close(ey, y.AsSpan(c * P, P), 1e-4, 1 + Math.Abs(gamma[c]) + Math.Abs(beta[c]), "y");
        }
    }, everyPath: true);

    [Fact]
    public void ForwardWithReluIsTheReluOfForward() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        int C = s.Channels, P = s.Plane;
        var x = Random(rng, C * P);
        var gamma = Random(rng, C); var beta = Random(rng, C);
        var y = new float[x.Length]; var mean = new float[C]; var inv = new float[C];
        var z = new float[x.Length]; var zmean = new float[C]; var zinv = new float[C];
        BatchNorm.Forward(x, C, P, gamma, beta, 1e-3f, y, mean, inv);
        BatchNorm.Forward(x, C, P, gamma, beta, 1e-3f, z, zmean, zinv, relu: true);
        Assert.Equal(mean, zmean);
        Assert.Equal(inv, zinv);
        Assert.Equal(Array.ConvertAll(y, v => v > 0f ? v : 0f), z);
    }, everyPath: true);

    [Fact]
    public void BackwardMatchesReferenceAndAccumulates() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        int C = s.Channels, P = s.Plane;
        var x = Random(rng, C * P); var dy = Random(rng, C * P);
        var gamma = Random(rng, C); var inv = Random(rng, C, 0.5f, 2f); var mean = Random(rng, C);
        // The kernel recomputes xhat in float exactly like this; the reference works from it in double.
        var xhat = new float[C * P];
        for (int c = 0; c < C; c++)
            for (int i = 0; i < P; i++) xhat[c * P + i] = (x[c * P + i] - mean[c]) * inv[c];
        var dx = Random(rng, C * P); var dgamma = Random(rng, C); var dbeta = Random(rng, C);
        var edx = ToDouble(dx); var edg = ToDouble(dgamma); var edb = ToDouble(dbeta);
        var mags = new double[C];
        for (int c = 0; c < C; c++)
        {
            if (P == 0) continue;
            double sdy = 0, sdyx = 0, mag = 0;
            for (int i = 0; i < P; i++) { sdy += dy[c * P + i]; sdyx += (double)dy[c * P + i] * xhat[c * P + i]; mag += Math.Abs(dy[c * P + i]) * (1 + Math.Abs(xhat[c * P + i])); }
            edg[c] += sdyx; edb[c] += sdy; mags[c] = mag;
            double k = gamma[c] * (double)inv[c] / P;
            for (int i = 0; i < P; i++) edx[c * P + i] += k * (P * (double)dy[c * P + i] - sdy - xhat[c * P + i] * sdyx);
        }
        BatchNorm.Backward(x, mean, inv, dy, gamma, C, P, dx, dgamma, dbeta);
        for (int c = 0; c < C; c++)
        {
            Close(edg[c], dgamma[c], 1e-5, mags[c] + 1, $"dgamma[{c}]");
            Close(edb[c], dbeta[c], 1e-5, mags[c] + 1, $"dbeta[{c}]");
            // dx's terms are O(|γ·invStd|·(|dy| + mean|dy|·(1+|xhat|))); the sums cancel.
            double scale = 1 + Math.Abs(gamma[c] * inv[c]) * (4 + 4 * mags[c] / Math.Max(P, 1));
            Close(edx.AsSpan(c * P, P), dx.AsSpan(c * P, P), 1e-5, scale, "dx");
        }
    }, everyPath: true);

    [Fact]
    public void ForwardInferenceMatchesReference() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        int C = s.Channels, P = s.Plane;
        var x = Random(rng, C * P); var gamma = Random(rng, C); var beta = Random(rng, C);
        var mean = Random(rng, C); var variance = Random(rng, C, 0.1f, 3f);
        var y = new float[x.Length];
        BatchNorm.ForwardInference(x, C, P, gamma, beta, mean, variance, 1e-5f, y);
        var ey = new double[x.Length];
        for (int c = 0; c < C; c++)
            for (int i = 0; i < P; i++)
                ey[c * P + i] = gamma[c] * (x[c * P + i] - (double)mean[c]) / Math.Sqrt(variance[c] + 1e-5) + beta[c];
        for (int c = 0; c < C; c++)
            Close(ey.AsSpan(c * P, P), y.AsSpan(c * P, P), 1e-5, 1 + Math.Abs(gamma[c]) * 4 + Math.Abs(beta[c]), "y");
    }, everyPath: true);

    [Fact]
    public void ShapeMismatchThrows()
    {
        var f = new float[3];
        Assert.Throws<ArgumentException>(() => BatchNorm.Forward(new float[10], 3, 4, f, f, 1e-5f, new float[12], f, f));
        Assert.Throws<ArgumentException>(() => BatchNorm.Forward(new float[12], 3, 4, f, new float[2], 1e-5f, new float[12], f, f));
        Assert.Throws<ArgumentException>(() => BatchNorm.Backward(new float[12], f, f, new float[12], f, 3, 4, new float[11], f, f));
        Assert.Throws<ArgumentException>(() => BatchNorm.Backward(new float[12], new float[2], f, new float[12], f, 3, 4, new float[12], f, f));
        Assert.Throws<ArgumentException>(() => BatchNorm.ForwardInference(new float[12], 3, 4, f, f, f, new float[4], 1e-5f, new float[12]));
    }
}
