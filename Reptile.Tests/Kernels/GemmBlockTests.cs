using Reptile.Kernels;
using Reptile.Tests.Support;

namespace Reptile.Tests.Kernels;

/// <summary>Blocks of a product (what threads sharing it compute) reproduce the whole product bit for bit on every
/// route and path, and <see cref="Gemm.Split"/> cuts where it says.</summary>
public class GemmBlockTests
{
    // Blocked driver, narrow (A·Bᵀ, ≤ 16 columns, deep), tiny (direct loops) and the shapes of the Omniglot model.
    private static readonly (int M, int N, int K, bool TA, bool TB)[] Shapes =
    [
        (64, 490, 576, false, false), (64, 576, 490, false, true), (576, 490, 64, true, false), (13, 100, 37, true, true),
        (64, 1960, 9, false, false), (64, 160, 576, false, false), (576, 160, 64, true, false), (300, 37, 520, false, true),
        (64, 9, 1960, false, true), (33, 16, 100, false, true), (64, 40, 576, false, false), (576, 40, 64, true, false),
        (37, 50, 70, true, true), (13, 5, 20, false, false), (12, 20, 9, true, true), (10, 70, 64, false, true), (10, 5, 256, false, false),
    ];

    private static (float[] A, float[] B, float[] Start) Operands(Random rng, int m, int n, int k) =>
        (Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(),
         Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(),
         Enumerable.Range(0, m * n).Select(_ => (float)rng.NextDouble()).ToArray());

    /// <summary>Computes <paramref name="blocks"/> one after another into a copy of start and compares with the whole.</summary>
    private static void AssertBlocksEqualWhole(Random rng, int m, int n, int k, bool ta, bool tb, IEnumerable<GemmBlock[]> tilings, string label)
    {
        var (a, b, start) = Operands(rng, m, n, k);
        foreach (bool accumulate in new[] { false, true })
        {
            var whole = (float[])start.Clone();
            Gemm.Multiply(a, ta, b, tb, whole, m, n, k, accumulate);
            foreach (var blocks in tilings)
            {
                var parts = (float[])start.Clone();
                foreach (var block in blocks.Reverse()) Gemm.Multiply(a, ta, b, tb, parts, m, n, k, accumulate, block);
                Assert.True(whole.SequenceEqual(parts), $"{label} {m}×{n}×{k} transA={ta} transB={tb} accumulate={accumulate} blocks={string.Join(" ", blocks)}");
            }
        }
    }

    [Fact]
    public void ColumnBlocksReproduceTheWholeProductOnEveryRouteAndPath()
    {
        var rng = new Random(11);
        SimdPaths.ForEach(path =>
        {
            foreach (var (m, n, k, ta, tb) in Shapes)
            {
                // Panel boundaries (32), half and quarter panels (16, 8) and cuts inside a panel.
                var cuts = new[] { (n / 2 + 31) / 32 * 32, (n / 2 + 8) / 16 * 16, n / 2 / 8 * 8, n / 2 + 3, 5 }.Where(s => s > 0 && s < n).Distinct();
                AssertBlocksEqualWhole(rng, m, n, k, ta, tb,
                    cuts.Select(cut => new[] { new GemmBlock(0, m, 0, cut), new GemmBlock(0, m, cut, n) }), $"{path} columns");
            }
        });
    }

    [Fact]
    public void RowBlocksReproduceTheWholeProductOnEveryRouteAndPath()
    {
        var rng = new Random(12);
        SimdPaths.ForEach(path =>
        {
            foreach (var (m, n, k, ta, tb) in Shapes)
                AssertBlocksEqualWhole(rng, m, n, k, ta, tb,
                    new[] { 1, m / 2, m - 3 }.Where(s => s > 0 && s < m).Select(cut => new[] { new GemmBlock(0, cut, 0, n), new GemmBlock(cut, m, 0, n) }),
                    $"{path} rows");
        });
    }

    [Fact]
    public void QuartersReproduceTheWholeProductOnEveryRouteAndPath()
    {
        var rng = new Random(13);
        SimdPaths.ForEach(path =>
        {
            foreach (var (m, n, k, ta, tb) in Shapes.Where(s => s.M > 1 && s.N > 1))
            {
                int i = m / 2 + 1, j = n / 3;
                AssertBlocksEqualWhole(rng, m, n, k, ta, tb,
                    [[new(0, i, 0, j), new(0, i, j, n), new(i, m, 0, j), new(i, m, j, n)]], $"{path} quarters");
            }
        });
    }

    // The route depends on the whole product, never on the block: forcing every product through the direct loops
    // (or none) keeps blocks equal to the whole on those routes too.
    [Theory]
    [InlineData(0L)]
    [InlineData(long.MaxValue)]
    public void BlocksReproduceTheWholeProductWhicheverRouteTheThresholdPicks(long smallProductVolume)
    {
        var rng = new Random(14);
        using var threshold = ComputeSettings.Use(ComputeSettings.Current with { SmallProductVolume = smallProductVolume });
        SimdPaths.ForEach(path =>
        {
            foreach (var (m, n, k, ta, tb) in Shapes.Where(s => s.M > 3 && s.N > 5))
                AssertBlocksEqualWhole(rng, m, n, k, ta, tb,
                    [[new(0, m, 0, 5), new(0, m, 5, n)], [new(0, m / 2, 0, n), new(m / 2, m, 0, n)]], $"{path} volume≤{smallProductVolume}");
        });
    }

    [Fact]
    public void ABlockTouchesOnlyItsElements()
    {
        var a = Enumerable.Range(0, 6).Select(i => (float)i).ToArray();   // 2×3
        var b = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();  // 3×4
        SimdPaths.ForEach(path =>
        {
            var c = Enumerable.Repeat(-7f, 8).ToArray();
            Gemm.Multiply(a, false, b, false, c, 2, 4, 3, false, new GemmBlock(0, 2, 1, 3));
            Assert.Equal(new[] { -7f, 23, 26, -7f, -7f, 68, 80, -7f }, c);
            c = Enumerable.Repeat(-7f, 8).ToArray();
            Gemm.Multiply(a, false, b, false, c, 2, 4, 3, false, new GemmBlock(1, 2, 0, 4));
            Assert.Equal(new[] { -7f, -7f, -7f, -7f, 56, 68, 80, 92 }, c);
        });
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, false, b, false, new float[8], 2, 4, 3, false, new GemmBlock(0, 2, 3, 5)));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, false, b, false, new float[8], 2, 4, 3, false, new GemmBlock(1, 3, 0, 4)));
    }

    [Theory]
    [InlineData(64, 160, 576, 2, true, new[] { 80, 80 })]      // columns near the middle on a multiple of 16
    [InlineData(64, 490, 576, 2, true, new[] { 240, 250 })]
    [InlineData(64, 40, 576, 2, false, new[] { 32, 32 })]      // 40 columns do not halve on a multiple of 16: rows
    [InlineData(64, 9, 1960, 2, false, new[] { 32, 32 })]
    [InlineData(64, 490, 576, 3, true, new[] { 160, 160, 170 })]
    [InlineData(576, 40, 64, 4, false, new[] { 144, 144, 144, 144 })]
    [InlineData(64, 160, 576, 1, false, new[] { 64 })]          // one thread: one part
    [InlineData(10, 64, 64, 2, false, new[] { 10 })]            // too small to be worth cutting
    [InlineData(1, 4096, 512, 2, true, new[] { 2048, 2048 })]
    [InlineData(1, 40, 1 << 20, 2, false, new[] { 1 })]         // neither halves: one part
    public void SplitCutsWhereItSays(int m, int n, int k, int parts, bool byColumns, int[] sizes)
    {
        var split = Gemm.Split(m, n, k, parts);
        Assert.Equal(sizes.Length, split.Parts);
        if (split.Parts > 1) Assert.Equal(byColumns, split.ByColumns);
        int next = 0;
        for (int p = 0; p < split.Parts; p++)
        {
            var block = split.Block(p);
            Assert.Equal(sizes[p], split.ByColumns ? block.Columns : block.Rows);
            Assert.Equal(next, split.ByColumns ? block.ColumnStart : block.RowStart);
            Assert.Equal(split.ByColumns ? (0, m) : (0, n), split.ByColumns ? (block.RowStart, block.RowEnd) : (block.ColumnStart, block.ColumnEnd));
            next = split.ByColumns ? block.ColumnEnd : block.RowEnd;
        }
        Assert.Equal(split.ByColumns ? n : m, next);
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
        SimdPaths.ForEach(path =>
        {
            if (path == Reptile.Kernels.SimdPath.Scalar) return;
            var whole = new float[m * n];
            Reptile.Kernels.Gemm.Multiply(a, false, b, false, whole, m, n, k);
            foreach (bool accumulate in new[] { false, true })
                foreach (int start in new[] { 0, 8 })
                    foreach (int width in new[] { 1, 2, 3, 4, 5, 7, 9, 10, 12, 17, 18, 20, 25, 33, 36 })
                    {
                        int end = start + width;
                        var c = Enumerable.Repeat(accumulate ? 0f : float.NaN, m * n).ToArray();
                        Reptile.Kernels.Gemm.Multiply(a, false, b, false, c, m, n, k, accumulate, new Reptile.Kernels.GemmBlock(0, m, start, end));
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
        });
    }
}
