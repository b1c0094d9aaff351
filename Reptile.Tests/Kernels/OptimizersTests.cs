using Reptile.Kernels;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class OptimizersTests
{
    [Fact]
    public void SgdMatchesReference() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var w = Random(rng, s.Length);
        var g = Random(rng, s.Length);
        float lr = rng.NextSingle();
        var expected = new double[s.Length];
        for (int i = 0; i < s.Length; i++) expected[i] = w[i] - (double)lr * g[i];
        Optimizers.Sgd(w, g, lr);
        Close(expected, w, 1e-5, 1);
    }, everyPath: true);

    [Fact]
    public void ScaleMatchesReference() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var w = Random(rng, s.Length);
        float f = rng.NextSingle() * 2 - 1;
        var expected = Array.ConvertAll(w, v => (double)v * f);
        Optimizers.Scale(w, f);
        Close(expected, w, 1e-6, 1e-6);
    }, everyPath: true);

    [Fact]
    public void AdamMatchesReference() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        // Small w so the update is not lost in w's own rounding.
        var w = Random(rng, s.Length, -1e-3f, 1e-3f);
        var g = Random(rng, s.Length);
        var m = Random(rng, s.Length, -0.1f, 0.1f);
        var v = Random(rng, s.Length, 0, 0.1f);
        float beta1 = rng.Next(3) == 0 ? 0f : 0.9f, beta2 = 0.999f, eps = 1e-8f;
        int t = 1 + rng.Next(10);
        float step = (float)(1e-3 * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t)));
        var ew = new double[s.Length]; var em = new double[s.Length]; var ev = new double[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            em[i] = beta1 * (double)m[i] + (1 - (double)beta1) * g[i];
            ev[i] = beta2 * (double)v[i] + (1 - (double)beta2) * g[i] * (double)g[i];
            ew[i] = w[i] - step * em[i] / (Math.Sqrt(ev[i]) + eps);
        }
        var mBefore = (float[])m.Clone();
        Optimizers.Adam(w, g, m, v, beta1, beta2, step, eps);
        if (beta1 == 0f) Assert.Equal(mBefore, m); // β1 = 0: m = g is never stored (nor read)
        else Close(em, m, 1e-5, 0.1, "m"); // m, v: terms of size ~0.1 may cancel
        Close(ev, v, 1e-5, 0.1, "v");
        Close(ew, w, 1e-5, 1e-3, "w");
    }, everyPath: true);

    [Fact]
    public void LengthMismatchThrows()
    {
        Assert.Throws<ArgumentException>(() => Optimizers.Sgd(new float[3], new float[4], 0.1f));
        Assert.Throws<ArgumentException>(() => Optimizers.Adam(new float[3], new float[3], new float[3], new float[2], 0.9f, 0.999f, 1e-3f, 1e-8f));
        Assert.Throws<ArgumentException>(() => Optimizers.Adam(new float[3], new float[3], new float[4], new float[3], 0.9f, 0.999f, 1e-3f, 1e-8f));
    }
}
