using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;

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
    public void MatchesDoubleReference_OnEveryPath()
    {
        foreach (var path in Simd.Available)
        {
            using (Simd.Force(path))
            {
                Check.One(Config.QuickThrowOnFailure.WithMaxTest(120),
                    Prop.ForAll(Cases(), c => Verify(c, path)));
            }
        }
    }

    // The tiny-product shortcut and the blocked driver must each be right on every shape, not only on
    // the shapes the size threshold sends them. Changing the threshold only changes which correct
    // route is taken, so this is safe alongside other tests.
    [Theory]
    [InlineData(0L)]
    [InlineData(long.MaxValue)]
    public void MatchesDoubleReference_WithSmallThreshold(long maxVolume)
    {
        var saved = GemmSmall.MaxVolume;
        GemmSmall.MaxVolume = maxVolume;
        try
        {
            foreach (var path in Simd.Available)
                using (Simd.Force(path))
                    Check.One(Config.QuickThrowOnFailure.WithMaxTest(60),
                        Prop.ForAll(Cases(), c => Verify(c, path)));
        }
        finally
        {
            GemmSmall.MaxVolume = saved;
        }
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
        foreach (var path in Simd.Available)
            using (Simd.Force(path))
                for (int t = 0; t < 4; t++)
                    Assert.True(Verify(new Case(m, n, k, (t & 1) != 0, (t & 2) != 0, t is 1 or 2, 1234 + t), path));
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
    public void ShortSpans_ThrowNamingTheShapes()
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
    public void NegativeDimension_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(new float[12], false, new float[20], false, new float[15], 3, -5, 4));
        Assert.Contains("n=-5", ex.Message);
    }

    [Fact]
    public void ZeroSizes()
    {
        foreach (var path in Simd.Available)
            using (Simd.Force(path))
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
            }
    }

    [Fact]
    public void OneByOne()
    {
        foreach (var path in Simd.Available)
            using (Simd.Force(path))
            {
                var c = new[] { 10f };
                Gemm.Multiply([3f], false, [4f], true, c, 1, 1, 1, accumulate: true);
                Assert.Equal(22f, c[0]);
            }
    }
}


public class GemmColumnRangeTests
{
    [Fact]
    public void ColumnRangesReproduceTheWholeProductBitForBit()
    {
        var rng = new Random(11);
        var shapes = new (int M, int N, int K, bool TA, bool TB)[]
        {
            (64, 490, 576, false, false), (64, 576, 490, false, true), (576, 490, 64, true, false), (13, 100, 37, true, true), (64, 1960, 9, false, false),
            (64, 160, 576, false, false), (576, 160, 64, true, false), (300, 37, 520, false, true),
        };
        foreach (var path in Reptile.Kernels.Simd.Available)
            using (Reptile.Kernels.Simd.Force(path))
                foreach (var (m, n, k, ta, tb) in shapes)
                    foreach (bool accumulate in new[] { false, true })
                    {
                        var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
                        var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
                        var start = Enumerable.Range(0, m * n).Select(_ => (float)rng.NextDouble()).ToArray();
                        var whole = (float[])start.Clone();
                        Reptile.Kernels.Gemm.Multiply(a, ta, b, tb, whole, m, n, k, accumulate);
                        if (m * n * k < 48 * 1024) continue; // tiny products take the unpacked route as a whole
                        // Panel boundaries (32), half and quarter panels (16, 8) and cuts inside a panel.
                        foreach (int split in new[] { (n / 2 + 31) / 32 * 32, (n / 2 + 8) / 16 * 16, n / 2 / 8 * 8, n / 2 + 3 }.Where(s => s > 0 && s < n))
                        {
                            var parts = (float[])start.Clone();
                            Reptile.Kernels.Gemm.MultiplyColumns(a, ta, b, tb, parts, m, n, k, accumulate, split, n);
                            Reptile.Kernels.Gemm.MultiplyColumns(a, ta, b, tb, parts, m, n, k, accumulate, 0, split);
                            Assert.True(whole.SequenceEqual(parts), $"{path} {m}×{n}×{k} transA={ta} transB={tb} accumulate={accumulate} split={split}");
                        }
                    }
    }

    [Fact]
    public void RowRangesReproduceTheWholeProductBitForBit()
    {
        var rng = new Random(12);
        var shapes = new (int M, int N, int K, bool TA, bool TB)[]
        {
            (64, 9, 1960, false, true), (33, 16, 100, false, true),   // narrow
            (64, 40, 576, false, false), (576, 40, 64, true, false), (37, 50, 70, true, true), // blocked driver
            (13, 5, 20, false, false), (12, 20, 9, true, true),       // tiny
        };
        foreach (var path in Reptile.Kernels.Simd.Available)
            using (Reptile.Kernels.Simd.Force(path))
                foreach (var (m, n, k, ta, tb) in shapes)
                    foreach (bool accumulate in new[] { false, true })
                        foreach (int split in new[] { 1, m / 2, m - 3 })
                        {
                            var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
                            var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
                            var start = Enumerable.Range(0, m * n).Select(_ => (float)rng.NextDouble()).ToArray();
                            var whole = (float[])start.Clone();
                            Reptile.Kernels.Gemm.Multiply(a, ta, b, tb, whole, m, n, k, accumulate);
                            var parts = (float[])start.Clone();
                            Reptile.Kernels.Gemm.MultiplyRows(a, ta, b, tb, parts, m, n, k, accumulate, split, m);
                            Reptile.Kernels.Gemm.MultiplyRows(a, ta, b, tb, parts, m, n, k, accumulate, 0, split);
                            Assert.True(whole.SequenceEqual(parts), $"{path} {m}×{n}×{k} transA={ta} transB={tb} accumulate={accumulate} split={split}");
                            if (n > 4 && tb && !ta && k >= 64)
                            {
                                // The narrow route also splits by columns, anywhere.
                                var columns = (float[])start.Clone();
                                Reptile.Kernels.Gemm.MultiplyColumns(a, ta, b, tb, columns, m, n, k, accumulate, 5, n);
                                Reptile.Kernels.Gemm.MultiplyColumns(a, ta, b, tb, columns, m, n, k, accumulate, 0, 5);
                                Assert.True(whole.SequenceEqual(columns), $"{path} {m}×{n}×{k} columns");
                            }
                        }
        Assert.Throws<ArgumentException>(() => Reptile.Kernels.Gemm.MultiplyRows(new float[6], false, new float[12], false, new float[8], 2, 4, 3, false, 1, 3));
    }

    // The blocked driver's kernels all compute an element as one chain of fused multiply-adds per KC block, added
    // to C: whichever width (8×8, 6×16, 8×32 tiles) covers it, the bits are the same, which is what lets column
    // splits mix full, half and quarter panels.
    [Fact]
    public void TheBlockedDriverGivesTheSameBitsOnEveryVectorPath()
    {
        var rng = new Random(14);
        var shapes = new (int M, int N, int K, bool TA, bool TB)[]
        {
            (64, 490, 576, false, false), (576, 160, 64, true, false), (64, 576, 160, false, true), (67, 66, 70, false, false),
            (13, 100, 37, true, true), (300, 37, 520, false, true), (9, 1960, 64, true, false),
        };
        var vectorPaths = Reptile.Kernels.Simd.Available.Where(p => p != Reptile.Kernels.SimdPath.Scalar).ToArray();
        foreach (var (m, n, k, ta, tb) in shapes)
            foreach (bool accumulate in new[] { false, true })
            {
                var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
                var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
                var start = Enumerable.Range(0, m * n).Select(_ => (float)rng.NextDouble()).ToArray();
                float[]? first = null;
                foreach (var path in vectorPaths)
                    using (Reptile.Kernels.Simd.Force(path))
                    {
                        var c = (float[])start.Clone();
                        Reptile.Kernels.Gemm.Multiply(a, ta, b, tb, c, m, n, k, accumulate);
                        first ??= c;
                        Assert.True(first.SequenceEqual(c), $"{path} differs from {vectorPaths[0]}: {m}×{n}×{k} transA={ta} transB={tb} accumulate={accumulate}");
                    }
            }
    }

    // Column ranges ending inside a panel of every kernel (8, 16, 32 wide): the ragged last panel takes the quarter,
    // half or full kernel, writing C directly when it has all MR rows (24 rows is a multiple of every MR).
    [Fact]
    public void ARaggedLastPanelWritesOnlyItsColumns()
    {
        const int m = 24, n = 48, k = 300; // large enough for the blocked driver
        var rng = new Random(13);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        foreach (var path in Reptile.Kernels.Simd.Available)
            using (Reptile.Kernels.Simd.Force(path))
            {
                if (path == Reptile.Kernels.SimdPath.Scalar) continue;
                var whole = new float[m * n];
                Reptile.Kernels.Gemm.Multiply(a, false, b, false, whole, m, n, k);
                foreach (bool accumulate in new[] { false, true })
                    foreach (int start in new[] { 0, 8 })
                        foreach (int width in new[] { 1, 2, 3, 4, 5, 7, 9, 10, 12, 17, 18, 20, 25, 33, 36 })
                        {
                            int end = start + width;
                            var c = Enumerable.Repeat(accumulate ? 0f : float.NaN, m * n).ToArray();
                            Reptile.Kernels.Gemm.MultiplyColumns(a, false, b, false, c, m, n, k, accumulate, start, end);
                            for (int i = 0; i < m; i++)
                                for (int j = 0; j < n; j++)
                                {
                                    float got = c[i * n + j];
                                    if (j >= start && j < end)
                                        Assert.True(got == whole[i * n + j], $"{path} columns [{start}, {end}) accumulate={accumulate}: C[{i},{j}] = {got}, not {whole[i * n + j]}");
                                    else
                                        Assert.True(accumulate ? got == 0f : float.IsNaN(got), $"{path} columns [{start}, {end}): wrote C[{i},{j}] = {got}");
                                }
                        }
            }
    }

    [Fact]
    public void AColumnRangeTouchesOnlyItsColumns()
    {
        var a = Enumerable.Range(0, 6).Select(i => (float)i).ToArray();   // 2×3
        var b = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();  // 3×4
        foreach (var path in Reptile.Kernels.Simd.Available)
            using (Reptile.Kernels.Simd.Force(path))
            {
                var c = Enumerable.Repeat(-7f, 8).ToArray();
                Reptile.Kernels.Gemm.MultiplyColumns(a, false, b, false, c, 2, 4, 3, false, 1, 3);
                Assert.Equal(new[] { -7f, 23, 26, -7f, -7f, 68, 80, -7f }, c);
            }
        Assert.Throws<ArgumentException>(() => Reptile.Kernels.Gemm.MultiplyColumns(a, false, b, false, new float[8], 2, 4, 3, false, 3, 5));
    }
}
