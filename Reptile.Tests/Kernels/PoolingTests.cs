using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class PoolingTests
{
    private static Arbitrary<(int C, int N, int H, int W, int Size, int Stride, int Seed)> Shapes =>
        (from c in Gen.Choose(1, 3) from n in Gen.Choose(1, 3) from size in Gen.Choose(1, 3) from stride in Gen.Choose(1, 3)
         from h in Gen.Choose(size, 17) from w in Gen.Choose(size, 17) from seed in Gen.Choose(0, int.MaxValue)
         select (c, n, h, w, size, stride, seed)).ToArbitrary();

    [Fact]
    public void MaxPoolMatchesReferenceWithTies() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        // Few distinct values, so ties are common and "first max" is exercised.
        var x = Enumerable.Range(0, s.C * s.N * s.H * s.W).Select(_ => (float)rng.Next(4)).ToArray();
        int oh = (s.H - s.Size) / s.Stride + 1, ow = (s.W - s.Size) / s.Stride + 1;
        var y = new float[s.C * s.N * oh * ow];
        var arg = new int[y.Length];
        Pooling.MaxPool(x, s.C, s.N, s.H, s.W, s.Size, s.Stride, y, arg);
        int o = 0;
        for (int p = 0; p < s.C * s.N; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++, o++)
                {
                    int best = -1;
                    for (int i = 0; i < s.Size; i++)
                        for (int j = 0; j < s.Size; j++)
                        {
                            int k = (p * s.H + r * s.Stride + i) * s.W + q * s.Stride + j;
                            if (best < 0 || x[k] > x[best]) best = k;
                        }
                    Assert.Equal(best, arg[o]);
                    Assert.Equal(x[best], y[o]);
                }
    }, everyPath: true);

    [Fact]
    public void MaxPoolBackwardScattersAndAccumulates() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        var x = Random(rng, s.C * s.N * s.H * s.W);
        int oh = (s.H - s.Size) / s.Stride + 1, ow = (s.W - s.Size) / s.Stride + 1;
        var y = new float[s.C * s.N * oh * ow];
        var arg = new int[y.Length];
        Pooling.MaxPool(x, s.C, s.N, s.H, s.W, s.Size, s.Stride, y, arg);
        var dy = Random(rng, y.Length);
        var dx = Random(rng, x.Length);
        var expected = ToDouble(dx);
        for (int i = 0; i < dy.Length; i++) expected[arg[i]] += dy[i];
        Pooling.MaxPoolBackward(dy, arg, dx);
        Close(expected, dx, 1e-5, 4);
    }, runs: 50, everyPath: true);

    [Fact]
    public void ShapeMismatchThrows()
    {
        Assert.Throws<ArgumentException>(() => Pooling.MaxPool(new float[15], 1, 1, 4, 4, 2, 2, new float[4], new int[4]));
        Assert.Throws<ArgumentException>(() => Pooling.MaxPool(new float[16], 1, 1, 4, 4, 2, 2, new float[5], new int[5]));
        Assert.Throws<ArgumentException>(() => Pooling.MaxPool(new float[16], 1, 1, 4, 4, 2, 2, new float[4], new int[3]));
        Assert.Throws<ArgumentException>(() => Pooling.MaxPoolBackward(new float[4], new int[3], new float[16]));
    }
}
