using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class ConvolutionTests
{
    private record Shape(int C, int N, int H, int W, int KH, int KW, int Stride, int Pad, int Seed)
    {
        public int OH => (H + 2 * Pad - KH) / Stride + 1;
        public int OW => (W + 2 * Pad - KW) / Stride + 1;
        public int XLength => C * N * H * W;
        public int ColsLength => C * KH * KW * N * OH * OW;
    }

    private static Arbitrary<Shape> Shapes =>
        (from c in Gen.Choose(1, 3) from n in Gen.Choose(1, 3)
         from h in Gen.Choose(1, 20) from w in Gen.OneOf(Gen.Choose(1, 20), Gen.Elements(28, 33))
         from kh in Gen.Choose(1, 5) from kw in Gen.Choose(1, 5)
         from stride in Gen.Choose(1, 3) from pad in Gen.Choose(0, 2) from seed in Gen.Choose(0, int.MaxValue)
         where h + 2 * pad >= kh && w + 2 * pad >= kw
         select new Shape(c, n, h, w, kh, kw, stride, pad, seed)).ToArbitrary();

    private static float ReferenceAt(float[] x, Shape s, int row, int col, out int index)
    {
        int j = row % s.KW, i = row / s.KW % s.KH, c = row / (s.KW * s.KH);
        int ow = col % s.OW, oh = col / s.OW % s.OH, n = col / (s.OW * s.OH);
        int ih = oh * s.Stride - s.Pad + i, iw = ow * s.Stride - s.Pad + j;
        index = -1;
        if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) return 0;
        index = ((c * s.N + n) * s.H + ih) * s.W + iw;
        return x[index];
    }

    private static ConvolutionPlan Plan(Shape s) => new(s.N, s.H, s.W, s.KH, s.KW, s.Stride, s.Pad);

    /// <summary>im2col as the layers run it (whole rows where they fit a vector), checked bit for bit against
    /// the plain gather through the map.</summary>
    private static void Im2Col(float[] x, Shape s, float[] cols)
    {
        var plan = Plan(s);
        var gathered = Enumerable.Repeat(float.NaN, cols.Length).ToArray();
        Convolution.Gather(x, s.C, plan.Index, gathered);
        Convolution.Im2Col(x, s.C, plan, cols);
        Assert.Equal(gathered, cols);
    }

    /// <summary>col2im as the layers run it, checked bit for bit against the scatter through the map, which adds
    /// the same terms in the same order.</summary>
    private static void Col2Im(float[] cols, Shape s, float[] dx)
    {
        var plan = Plan(s);
        var scattered = (float[])dx.Clone();
        Convolution.ScatterAdd(cols, s.C, plan.Index, scattered);
        Convolution.Col2Im(cols, s.C, plan, dx);
        Assert.Equal(scattered, dx);
    }

    [Fact]
    public void Im2ColMatchesReference() => Property.ForAll(Shapes, s =>
    {
        var x = Random(new Random(s.Seed), s.XLength);
        var cols = Enumerable.Repeat(float.NaN, s.ColsLength).ToArray(); // every entry must be written
        Im2Col(x, s, cols);
        int colWidth = s.N * s.OH * s.OW;
        for (int r = 0; r < s.C * s.KH * s.KW; r++)
            for (int q = 0; q < colWidth; q++)
                Assert.Equal(ReferenceAt(x, s, r, q, out _), cols[r * colWidth + q]);
    }, everyPath: true);

    [Fact]
    public void Col2ImIsTheAdjointAndAccumulates() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        var cols = Random(rng, s.ColsLength);
        var dx = Random(rng, s.XLength);
        var expected = ToDouble(dx);
        int colWidth = s.N * s.OH * s.OW;
        for (int r = 0; r < s.C * s.KH * s.KW; r++)
            for (int q = 0; q < colWidth; q++)
            {
                ReferenceAt(dx, s, r, q, out int index);
                if (index >= 0) expected[index] += cols[r * colWidth + q];
            }
        Col2Im(cols, s, dx);
        Close(expected, dx, 1e-5, 4);
    }, runs: 60, everyPath: true);

    [Fact]
    public void ShapeMismatchThrows()
    {
        // 1×1×5×5, 3×3 kernel, stride 1, no padding: the map is 9 × 9, cols 9 × 9.
        var index = new int[81];
        Convolution.BuildIndex(1, 5, 5, 3, 3, 1, 0, index);
        Assert.Throws<ArgumentException>(() => Convolution.BuildIndex(1, 5, 5, 3, 3, 1, 0, new int[80]));
        Assert.Throws<ArgumentException>(() => Convolution.Gather(new float[24], 1, index, new float[81]));
        Assert.Throws<ArgumentException>(() => Convolution.Gather(new float[25], 1, index, new float[80]));
        Assert.Throws<ArgumentException>(() => Convolution.ScatterAdd(new float[81], 1, index, new float[20]));
        Assert.Throws<ArgumentException>(() => Convolution.BuildIndex(1, 2, 2, 3, 3, 1, 0, new int[1]));
        var plan = new ConvolutionPlan(1, 5, 5, 3, 3, 1, 0);
        Assert.Throws<ArgumentException>(() => Convolution.Im2Col(new float[24], 1, plan, new float[81]));
        Assert.Throws<ArgumentException>(() => Convolution.Im2Col(new float[25], 1, plan, new float[80]));
        Assert.Throws<ArgumentException>(() => Convolution.Col2Im(new float[81], 1, plan, new float[50]));
        Assert.Throws<ArgumentException>(() => new ConvolutionPlan(1, 2, 2, 3, 3, 1, 0));
        // A map built for a larger image must not read outside a smaller one.
        Assert.Throws<ArgumentException>(() => Convolution.Gather(new float[16], 1, index, new float[81]));
    }
}
