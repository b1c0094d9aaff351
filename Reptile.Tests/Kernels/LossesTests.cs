using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;
using Reptile.Tests.Support;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class LossesTests
{
    [Fact]
    public void MeanSquaredErrorMatchesReference() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var p = Random(rng, s.Length);
        var t = Random(rng, s.Length);
        double sum = 0;
        for (int i = 0; i < s.Length; i++) { double d = (double)p[i] - t[i]; sum += d * d; }
        double expected = s.Length == 0 ? 0 : sum / s.Length;
        Close(expected, Losses.MeanSquaredError(p, t), 1e-6, 0, "mse");
    }, everyPath: true);

    [Fact]
    public void MeanSquaredErrorBackwardAccumulates() => Property.ForAll(LengthAndSeed, s =>
    {
        var rng = new Random(s.Seed);
        var p = Random(rng, s.Length);
        var t = Random(rng, s.Length);
        var d = Random(rng, s.Length);
        float scale = 0.5f + rng.NextSingle();
        var expected = new double[s.Length];
        for (int i = 0; i < s.Length; i++) expected[i] = d[i] + scale * 2.0 * ((double)p[i] - t[i]) / s.Length;
        Losses.MeanSquaredErrorBackward(p, t, scale, d);
        Close(expected, d, 1e-5, 1);
    }, everyPath: true);

    private static Arbitrary<(int Rows, int Classes, int Seed)> Shapes =>
        (from rows in Gen.Choose(0, 5) from classes in Gen.OneOf(Gen.Elements(1, 2, 3, 5, 7, 8, 15, 16, 17, 20, 33, 65), Gen.Choose(100, 200))
         from seed in Gen.Choose(0, int.MaxValue) select (rows, classes, seed)).ToArbitrary();

    private static (double[] Probs, double Loss) Reference(float[] logits, int[] labels, int classes)
    {
        int rows = labels.Length;
        var probs = new double[logits.Length];
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++) max = Math.Max(max, logits[r * classes + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(logits[r * classes + c] - max);
            for (int c = 0; c < classes; c++) probs[r * classes + c] = Math.Exp(logits[r * classes + c] - max) / sum;
            loss += Math.Log(sum) - (logits[r * classes + labels[r]] - max);
        }
        return (probs, rows == 0 ? 0 : loss / rows);
    }

    [Fact]
    public void SoftmaxCrossEntropyMatchesReference() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        var logits = Random(rng, s.Rows * s.Classes, -8, 8);
        var labels = Enumerable.Range(0, s.Rows).Select(_ => rng.Next(s.Classes)).ToArray();
        var probs = new float[logits.Length];
        float loss = Losses.SoftmaxCrossEntropy(logits, labels, s.Classes, probs);
        var (ep, el) = Reference(logits, labels, s.Classes);
        Close(ep, probs, 1e-5, 1e-30);
        Close(el, loss, 1e-5, 1e-6, "loss");
    }, everyPath: true);

    // The loss of a confident, correct row is the sum of the other terms (≈ 1e-4 here): the row's largest term must
    // come out as exactly 1, or its rounding swamps the loss (the vector Exp gives e^0 = 1 + 1 ulp).
    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(20)]
    public void SoftmaxCrossEntropyOfAConfidentRowIsAccurateOnEveryPath(int classes)
    {
        var rng = new Random(classes);
        var logits = Random(rng, classes, -8, -1);
        int label = classes / 2;
        logits[label] = 8;
        SimdPaths.ForEach(path =>
        {
            var probs = new float[classes];
            float loss = Losses.SoftmaxCrossEntropy(logits, [label], classes, probs);
            var (ep, el) = Reference(logits, [label], classes);
            Close(ep, probs, 1e-5, 1e-30);
            Close(el, loss, 1e-5, 0, "loss");
        });
    }

    [Fact]
    public void SoftmaxCrossEntropyIsStableWithHugeLogits()
    {
        SimdPaths.ForEach(path =>
        {
            const int classes = 19;
            var logits = new float[2 * classes];
            for (int c = 0; c < classes; c++) { logits[c] = c % 2 == 0 ? 1e4f : -1e4f; logits[classes + c] = -1e4f + c; }
            int[] labels = [1, 18];
            var probs = new float[logits.Length];
            float loss = Losses.SoftmaxCrossEntropy(logits, labels, classes, probs);
            Assert.True(float.IsFinite(loss), $"loss {loss} on {path}");
            Assert.All(probs, p => Assert.True(float.IsFinite(p) && p >= 0 && p <= 1));
            var (ep, el) = Reference(logits, labels, classes);
            Close(ep, probs, 1e-5, 1e-30);
            Close(el, loss, 1e-5, 1e-6, "loss");
        });
    }

    [Fact]
    public void SoftmaxCrossEntropyBackwardAccumulates() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        var probs = Random(rng, s.Rows * s.Classes, 0, 1);
        var labels = Enumerable.Range(0, s.Rows).Select(_ => rng.Next(s.Classes)).ToArray();
        var d = Random(rng, probs.Length);
        float scale = 0.5f + rng.NextSingle();
        var expected = ToDouble(d);
        for (int r = 0; r < s.Rows; r++)
            for (int c = 0; c < s.Classes; c++)
                expected[r * s.Classes + c] += scale * ((double)probs[r * s.Classes + c] - (c == labels[r] ? 1 : 0)) / s.Rows;
        Losses.SoftmaxCrossEntropyBackward(probs, labels, s.Classes, scale, d);
        Close(expected, d, 1e-5, 1);
    }, everyPath: true);

    [Fact]
    public void BadLabelThrowsNamingRowAndLabel()
    {
        var logits = new float[3 * 4];
        var e = Throws.Naming<ArgumentOutOfRangeException>("row 2", () => Losses.SoftmaxCrossEntropy(logits, [0, 3, 4], 4, new float[12]));
        Assert.Contains("4", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxCrossEntropy(logits, [0, -1, 2], 4, new float[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxCrossEntropyBackward(logits, [0, 1, 7], 4, 1f, new float[12]));
    }

    [Fact]
    public void LengthMismatchThrows()
    {
        Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Losses.MeanSquaredErrorBackward(new float[3], new float[3], 1f, new float[2]));
        Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(new float[11], [0, 1, 2], 4, new float[11]));
        Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(new float[12], [0, 1, 2], 4, new float[11]));
        Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropyBackward(new float[12], [0, 1, 2], 4, 1f, new float[13]));
    }
}
