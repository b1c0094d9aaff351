using Reptile.Kernels;
using Reptile.Tests.Support;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class ActivationsTests
{
    [Fact]
    public void TanhMatchesReference() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        // Mix tiny, moderate and saturating arguments so every branch of the vector tanh runs.
        var x = new float[s.Length];
        for (int i = 0; i < x.Length; i++)
            x[i] = (rng.Next(4)) switch { 0 => Random(rng, 1, -1e-3f, 1e-3f)[0], 1 => Random(rng, 1, -1, 1)[0], 2 => Random(rng, 1, -6, 6)[0], _ => Random(rng, 1, -100, 100)[0] };
        var y = new float[x.Length];
        Tanh(x, y);
        Close(Array.ConvertAll(x, v => Math.Tanh(v)), y, 1e-6, 0, "tanh");
    }, everyPath: true);

    private static void Tanh(float[] x, float[] y) => Activations.Tanh(x, y);

    [Fact]
    public void TanhIsExactAtTheExtremes()
    {
        SimdPaths.ForEach(path =>
        {
            float[] x = [float.MaxValue, -float.MaxValue, 1e30f, -1e30f, 0f, 1e-30f, 20f, -20f, 9f, -9f, 0.625f, -0.625f, 0.6249f, 3, 4, 5, 6];
            var y = new float[x.Length];
            Activations.Tanh(x, y);
            for (int i = 0; i < x.Length; i++) Close(Math.Tanh(x[i]), y[i], 1e-6, 0, $"tanh({x[i]})");
        });
    }

    [Fact]
    public void TanhBackwardAccumulates() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var y = Random(rng, s.Length, -1, 1);
        var dy = Random(rng, s.Length);
        var dx = Random(rng, s.Length);
        var expected = new double[s.Length];
        for (int i = 0; i < s.Length; i++) expected[i] = dx[i] + (double)dy[i] * (1 - (double)y[i] * y[i]);
        Activations.TanhBackward(y, dy, dx);
        Close(expected, dx, 1e-5, 1);
    }, everyPath: true);

    [Fact]
    public void ReluMatchesReference() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var x = Random(rng, s.Length);
        var y = Random(rng, s.Length);
        Activations.Relu(x, y);
        Close(Array.ConvertAll(x, v => Math.Max(v, 0.0)), y, 0, 0);
    }, everyPath: true);

    [Fact]
    public void ReluInPlace() => Property.ForAll(LengthAndSeed, s =>
    {
        var x = Random(new Random(s.Seed), s.Length);
        var expected = Array.ConvertAll(x, v => Math.Max(v, 0.0));
        Activations.Relu(x, x);
        Close(expected, x, 0, 0);
    }, everyPath: true);

    [Fact]
    public void ReluBackwardAccumulates() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var y = Activations_ReluOf(Random(rng, s.Length));
        var dy = Random(rng, s.Length);
        var dx = Random(rng, s.Length);
        var expected = new double[s.Length];
        for (int i = 0; i < s.Length; i++) expected[i] = dx[i] + (y[i] > 0 ? (double)dy[i] : 0);
        Activations.ReluBackward(y, dy, dx);
        Close(expected, dx, 1e-6, 1);
    }, everyPath: true);

    [Fact]
    public void ReluMaskZeroesTheGradientWhereTheOutputIsNotPositive() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var y = Activations_ReluOf(Random(rng, s.Length));
        var dy = Random(rng, s.Length);
        var expected = new double[s.Length];
        for (int i = 0; i < s.Length; i++) expected[i] = y[i] > 0 ? dy[i] : 0;
        Activations.ReluMask(y, dy);
        Close(expected, dy, 0, 0);
    }, everyPath: true);

    private static float[] Activations_ReluOf(float[] x) => Array.ConvertAll(x, v => Math.Max(v, 0f));

    [Fact]
    public void LengthMismatchThrows()
    {
        Assert.Throws<ArgumentException>(() => Activations.Tanh(new float[5], new float[4]));
        Assert.Throws<ArgumentException>(() => Activations.Relu(new float[5], new float[6]));
        Assert.Throws<ArgumentException>(() => Activations.TanhBackward(new float[5], new float[5], new float[4]));
        Assert.Throws<ArgumentException>(() => Activations.ReluBackward(new float[5], new float[4], new float[5]));
        Assert.Throws<ArgumentException>(() => Activations.ReluMask(new float[5], new float[4]));
    }
}
