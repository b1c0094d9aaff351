using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class PoolingTests
{
    private static Arbitrary<(int C, int N, int H, int W, int Size, int Stride, int Seed, bool Ceil)> Shapes =>
        (from c in Gen.Choose(1, 3) from n in Gen.Choose(1, 3) from size in Gen.Choose(1, 3) from stride in Gen.Choose(1, 3)
         from h in Gen.Choose(size, 17) from w in Gen.Choose(size, 17) from seed in Gen.Choose(0, int.MaxValue)
         from ceil in Gen.Elements(false, true)
         select (c, n, h, w, size, stride, seed, ceil)).ToArbitrary();

    /// <summary>PyTorch's formula (pooling_output_shape with no padding and dilation 1), written independently.</summary>
    private static int PyTorchOutputSize(int input, int size, int stride, bool ceil)
    {
        int output = (int)(ceil ? Math.Ceiling((input - size) / (double)stride) : Math.Floor((input - size) / (double)stride)) + 1;
        if (ceil && (output - 1) * stride >= input) output--;
        return output;
    }

    [Fact]
    public void CeilModeRoundsUpOnlyWhereAWindowStartsInside()
    {
        Assert.Equal(11, Pooling.OutputSize(21, 2, 2, ceilMode: true));
        Assert.Equal(10, Pooling.OutputSize(21, 2, 2, ceilMode: false));
        Assert.Equal(6, Pooling.OutputSize(11, 2, 2, ceilMode: true));
        Assert.Equal(42, Pooling.OutputSize(84, 2, 2, ceilMode: true));
        // size 1, stride 3 over 5: windows at 0 and 3 both ways; ceil would add one at 6, past the input.
        Assert.Equal(2, Pooling.OutputSize(5, 1, 3, ceilMode: true));
        for (int input = 1; input <= 20; input++)
            for (int size = 1; size <= Math.Min(4, input); size++)
                for (int stride = 1; stride <= 4; stride++)
                    foreach (bool ceil in new[] { false, true })
                        Assert.Equal(PyTorchOutputSize(input, size, stride, ceil), Pooling.OutputSize(input, size, stride, ceil));
    }

    [Fact]
    public void MaxPoolMatchesReferenceWithTies() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        // Few distinct values, so ties are common and "first max" is exercised.
        var x = Enumerable.Range(0, s.C * s.N * s.H * s.W).Select(_ => (float)rng.Next(4)).ToArray();
        int oh = PyTorchOutputSize(s.H, s.Size, s.Stride, s.Ceil), ow = PyTorchOutputSize(s.W, s.Size, s.Stride, s.Ceil);
        var y = new float[s.C * s.N * oh * ow];
        var arg = new int[y.Length];
        Pooling.MaxPool(x, s.C, s.N, s.H, s.W, s.Size, s.Stride, y, arg, s.Ceil);
        int o = 0;
        for (int p = 0; p < s.C * s.N; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++, o++)
                {
                    int best = -1;
                    // The window clipped to the input, as PyTorch's ceil mode does.
                    for (int i = 0; i < s.Size && r * s.Stride + i < s.H; i++)
                        for (int j = 0; j < s.Size && q * s.Stride + j < s.W; j++)
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
        int oh = PyTorchOutputSize(s.H, s.Size, s.Stride, s.Ceil), ow = PyTorchOutputSize(s.W, s.Size, s.Stride, s.Ceil);
        var y = new float[s.C * s.N * oh * ow];
        var arg = new int[y.Length];
        Pooling.MaxPool(x, s.C, s.N, s.H, s.W, s.Size, s.Stride, y, arg, s.Ceil);
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
        // 5×5 in ceil mode pools to 3×3, not the floor's 2×2.
        Assert.Throws<ArgumentException>(() => Pooling.MaxPool(new float[25], 1, 1, 5, 5, 2, 2, new float[4], new int[4], ceilMode: true));
    }

    /// <summary>
    /// Position-major pooling against the channel-major kernel on the same values: the same max and the same first
    /// argmax on ties (values drawn from a few levels), the gradient routed into the same places with the same sums
    /// (overlapping windows add twice), on every SIMD path, channels off the vector width, any cut of the positions
    /// (forward) and of the channels (backward).
    /// </summary>
    [Fact]
    public unsafe void RowsGiveTheChannelMajorKernelsValues() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        int c = rng.Next(2) == 0 ? s.C : 16 + rng.Next(20), n = s.N, h = s.H, w = s.W, pixels = n * h * w;
        int oh = Pooling.OutputSize(h, s.Size, s.Stride, s.Ceil), ow = Pooling.OutputSize(w, s.Size, s.Stride, s.Ceil), positions = n * oh * ow;
        var x = Enumerable.Range(0, c * pixels).Select(_ => (float)rng.Next(4)).ToArray(); // channel-major, many ties
        var dy = Random(rng, c * positions);
        var dxStart = Random(rng, x.Length);
        var y = new float[c * positions];
        var argmax = new int[y.Length];
        Pooling.MaxPool(x, c, n, h, w, s.Size, s.Stride, y, argmax, s.Ceil);
        var dx = (float[])dxStart.Clone();
        Pooling.MaxPoolBackward(dy, argmax, dx);

        float[] Rows(float[] channelMajor, int count) =>
            Enumerable.Range(0, c * count).Select(i => channelMajor[(i % c) * count + i / c]).ToArray();
        var xr = Rows(x, pixels);
        var dyr = Rows(dy, positions);
        var yr = new float[y.Length];
        var ar = new int[y.Length];
        var dxr = Rows(dxStart, pixels);
        int cut = rng.Next(positions + 1), channelCut = rng.Next(c + 1);
        fixed (float* px = xr, py = yr, pdy = dyr, pdx = dxr)
        fixed (int* pa = ar)
        {
            Pooling.MaxPoolRows(px, c, h, w, oh, ow, s.Size, s.Stride, py, pa, 0, cut);
            Pooling.MaxPoolRows(px, c, h, w, oh, ow, s.Size, s.Stride, py, pa, cut, positions);
            Pooling.MaxPoolRowsBackward(pdy, pa, positions, c, pdx, channelCut, c);
            Pooling.MaxPoolRowsBackward(pdy, pa, positions, c, pdx, 0, channelCut);
        }
        for (int p = 0; p < positions; p++)
            for (int ch = 0; ch < c; ch++)
            {
                Assert.Equal(y[ch * positions + p], yr[p * c + ch]);
                Assert.Equal(argmax[ch * positions + p], ch * pixels + ar[p * c + ch]);
            }
        Assert.Equal(Rows(dx, pixels), dxr);
    }, everyPath: true);
}
