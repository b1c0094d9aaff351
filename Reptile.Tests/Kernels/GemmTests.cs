using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;
using Reptile.Tests.Support;

namespace Reptile.Tests.Kernels;

public class GemmTests
{
    public sealed record Case(int M, int N, int K, bool TransA, bool TransB, bool Accumulate, int Seed)
    {
        public override string ToString() =>
            $"m={M} n={N} k={K} transA={TransA} transB={TransB} accumulate={Accumulate} seed={Seed}";
    }

    // Edge sizes around the micro-tiles (6/8 rows, 8/16/32 columns) plus odd and prime ones.
    private static readonly int[] Sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 17, 20, 24, 31, 32, 33, 40, 47, 48, 64, 65, 97, 150];

    private static Arbitrary<Case> Cases()
    {
        var size = Gen.Elements(Sizes);
        var flag = Gen.Elements(false, true);
        return (from m in size
                from n in size
                from k in size
                from ta in flag
                from tb in flag
                from acc in flag
                from seed in Gen.Choose(0, int.MaxValue)
                select new Case(m, n, k, ta, tb, acc, seed)).ToArbitrary();
    }

    [Fact]
    public void MatchesDoubleReferenceOnEveryPath() =>
        Property.ForAll(Cases(), c => Verify(c, Simd.Current), runs: 120, everyPath: true);

    // The tiny-product shortcut and the blocked driver must each be right on every shape, not only on
    // the shapes the size threshold sends them. Changing the threshold only changes which correct
    // route is taken, so this is safe alongside other tests.
    [Theory]
    [InlineData(0L)]
    [InlineData(long.MaxValue)]
    public void MatchesDoubleReferenceWithSmallThreshold(long maxVolume)
    {
        using var threshold = ComputeSettings.Use(ComputeSettings.Current with { SmallProductVolume = maxVolume });
        Property.ForAll(Cases(), c => Verify(c, Simd.Current), runs: 60, everyPath: true);
    }

    [Theory]
    [InlineData(300, 37, 520)]   // crosses KC and MC
    [InlineData(5, 4200, 3)]     // crosses NC
    [InlineData(64, 40, 576)]    // conv forward
    [InlineData(64, 1960, 9)]
    [InlineData(64, 9, 1960)]    // conv1 weight gradient (the narrow route when B is transposed)
    [InlineData(33, 16, 100)]    // narrow route: odd rows, 16 columns, ragged depth
    [InlineData(576, 40, 64)]    // conv backward, data
    [InlineData(10, 5, 256)]     // dense
    [InlineData(10, 64, 1)]
    [InlineData(67, 66, 70)]     // blocked driver, ragged panels of the 8×8 kernel: 3 rows, 2 columns (quarter)
    [InlineData(61, 68, 50)]     // 5 rows, 4 columns (half)
    [InlineData(70, 75, 40)]     // 6 rows, 3 columns (half, edge tile)
    [InlineData(9, 97, 130)]     // 1 row, 1 column (quarter, edge tile)
    public void LargerFixedShapes_AllTransposes_OnEveryPath(int m, int n, int k)
    {
        SimdPaths.ForEach(path =>
        {
            for (int t = 0; t < 4; t++)
                Assert.True(Verify(new Case(m, n, k, (t & 1) != 0, (t & 2) != 0, t is 1 or 2, 1234 + t), path));
        });
    }

    private static bool Verify(Case cs, SimdPath path)
    {
        var (m, n, k) = (cs.M, cs.N, cs.K);
        var rnd = new Random(cs.Seed);
        // Slack at the end of every span: Gemm must neither need nor touch it.
        var a = RandomArray(rnd, m * k + 3);
        var b = RandomArray(rnd, k * n + 5);
        var c = cs.Accumulate ? RandomArray(rnd, m * n + 7) : Enumerable.Repeat(float.NaN, m * n + 7).ToArray();
        var c0 = (float[])c.Clone();

        Gemm.Multiply(a, cs.TransA, b, cs.TransB, c, m, n, k, cs.Accumulate);

        // op(A) and op(B)ᵀ in double, row-major, so each reference element is a contiguous dot product.
        var opA = new double[m * k];
        var opBt = new double[n * k];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
                opA[i * k + p] = cs.TransA ? a[p * m + i] : a[i * k + p];
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++)
                opBt[j * k + p] = cs.TransB ? b[j * k + p] : b[p * n + j];

        double rel = Math.Max(1e-5, 1.2e-7 * (k + 2));
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0, mag = 0;
            var ar = opA.AsSpan(i * k, k);
            var br = opBt.AsSpan(j * k, k);
            for (int p = 0; p < ar.Length; p++)
            {
                double prod = ar[p] * br[p];
                sum += prod;
                mag += Math.Abs(prod);
            }
            if (cs.Accumulate)
            {
                sum += c0[i * n + j];
                mag += Math.Abs(c0[i * n + j]);
            }
            double err = Math.Abs(c[i * n + j] - sum);
            if (!(err <= rel * mag + 1e-30))
                throw new Xunit.Sdk.XunitException(
                    $"{path} {cs}: C[{i},{j}] = {c[i * n + j]} but expected {sum} (err {err:g3}, bound {rel * mag:g3})");
        }
        for (int t = m * n; t < c.Length; t++)
            if (BitConverter.SingleToInt32Bits(c[t]) != BitConverter.SingleToInt32Bits(c0[t]))
                throw new Xunit.Sdk.XunitException($"{path} {cs}: wrote past C at {t}");
        return true;
    }

    private static float[] RandomArray(Random rnd, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(rnd.NextDouble() * 2 - 1);
        return x;
    }

    [Fact]
    public void ShortSpansThrowNamingTheShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(new float[10], false, new float[20], false, new float[15], 3, 5, 4));
        Assert.Contains("A has 10 elements but op(A) is 3×4 (transA=false) and needs 12", ex.Message);

        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(new float[12], true, new float[19], true, new float[15], 3, 5, 4));
        Assert.Contains("B has 19 elements but op(B) is 4×5 (transB=true) and needs 20", ex.Message);

        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(new float[12], false, new float[20], false, new float[14], 3, 5, 4));
        Assert.Contains("C has 14 elements but C is 3×5 and needs 15", ex.Message);
    }

    [Fact]
    public void NegativeDimensionThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(new float[12], false, new float[20], false, new float[15], 3, -5, 4));
        Assert.Contains("n=-5", ex.Message);
    }

    [Fact]
    public void ZeroSizes()
    {
        SimdPaths.ForEach(path =>
        {
            // k = 0: C = 0, or untouched when accumulating.
            var c = new[] { 1f, 2f, 3f, 4f, 5f, 6f, 9f };
            Gemm.Multiply([], false, [], false, c, 2, 3, 0);
            Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f, 9f], c);
            c = [1f, 2f, 3f, 4f, 5f, 6f];
            Gemm.Multiply([], true, [], true, c, 2, 3, 0, accumulate: true);
            Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], c);

            // m = 0 or n = 0: nothing to write, empty spans are enough.
            Gemm.Multiply([], false, new float[12], false, [], 0, 3, 4);
            Gemm.Multiply(new float[8], false, [], false, [], 2, 0, 4);
            Gemm.Multiply([], false, [], false, [], 0, 0, 0);
        });
    }

    [Fact]
    public void OneByOne()
    {
        SimdPaths.ForEach(path =>
        {
            var c = new[] { 10f };
            Gemm.Multiply([3f], false, [4f], true, c, 1, 1, 1, accumulate: true);
            Assert.Equal(22f, c[0]);
        });
    }
}
