using System.Runtime.CompilerServices;

namespace Reptile.Kernels;

/// <summary>
/// Single-precision matrix multiply, BLIS-style: cache-blocked loops (NC/KC/MC) around a
/// register-blocked micro-kernel over packed, zero-padded panels, so transposes and edges are handled
/// by packing (plus half/quarter-width variants of the kernel for a ragged last column panel).
/// Tiny products skip packing (<see cref="GemmSmall"/>), as do A·Bᵀ products with few columns
/// (<see cref="GemmNarrow"/>). Single-threaded; no steady-state allocation.
/// </summary>
public static class Gemm
{
    /// <summary>Column cuts fall on multiples of this: half the 512-bit micro-kernel's panel (the 256-bit kernel's
    /// whole one), so each part's last panel is still a full or half panel, not a ragged one.</summary>
    public const int ColumnCutMultiple = 16;

    /// <summary>Products below this many multiply-adds are not cut: the parts would not repay handing one over.</summary>
    public const long MinSplitVolume = 1L << 20;

    /// <summary>
    /// C (m×n, row-major, contiguous) = op(A)·op(B), or C += op(A)·op(B) when <paramref name="accumulate"/>.
    /// op(A) is m×k: A is stored m×k row-major, or k×m row-major when <paramref name="transA"/> (so op(A) = Aᵀ).
    /// op(B) is k×n: B is stored k×n row-major, or n×k row-major when <paramref name="transB"/>.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                Span<float> c, int m, int n, int k, bool accumulate) =>
        Multiply(a, transA, b, transB, c, m, n, k, accumulate, new GemmBlock(0, m, 0, n));

    /// <summary>C (m×n) = op(A)·op(B): <see cref="Multiply(ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, int, int, int, bool)"/>
    /// without accumulating.</summary>
    public static void Multiply(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                Span<float> c, int m, int n, int k) =>
        Multiply(a, transA, b, transB, c, m, n, k, false, new GemmBlock(0, m, 0, n));

    /// <summary>
    /// The <paramref name="block"/> of <see cref="Multiply(ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, int, int, int, bool)"/>'s
    /// result, the rest of C untouched. The route is chosen from the whole product's shape and every route computes
    /// each element with the same operations wherever the block's edges fall, so blocks computed separately (on
    /// different threads) equal the whole product bit for bit.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                Span<float> c, int m, int n, int k, bool accumulate, GemmBlock block)
    {
        Validate(a.Length, transA, b.Length, transB, c.Length, m, n, k);
        var (i0, i1, j0, j1) = block;
        if (i0 < 0 || i1 > m || i0 > i1 || j0 < 0 || j1 > n || j0 > j1)
            throw new ArgumentException($"Gemm: block {block} is not within C's {m} rows and {n} columns.", nameof(block));
        if (i0 == i1 || j0 == j1)
            return;
        if (k == 0)
        {
            if (!accumulate)
                for (int i = i0; i < i1; i++) c.Slice(i * n + j0, j1 - j0).Clear();
            return;
        }
        // The route table: one line per route, chosen from the whole product's shape, never from the block.
        var path = Simd.Current;
        if (path == SimdPath.Scalar)
            GemmScalar.Multiply(a, transA, b, transB, c, m, n, k, accumulate, i0, i1, j0, j1);
        else if (GemmSmall.Applies(m, n, k, transA, transB))
            GemmSmall.Multiply(path, a, transA, b, transB, c, m, n, k, accumulate, i0, i1, j0, j1);
        else if (GemmNarrow.Applies(n, k, transA, transB))
            GemmNarrow.Multiply(a, b, c, n, k, accumulate, i0, i1, j0, j1);
        else if (path == SimdPath.Vector512)
            GemmDriver.Run<GemmMicroKernel512>(a, transA, b, transB, c, m, n, k, accumulate, i0, i1, j0, j1);
        else if (path == SimdPath.Vector128)
            GemmDriver.Run<GemmMicroKernel128>(a, transA, b, transB, c, m, n, k, accumulate, i0, i1, j0, j1);
        else
            GemmDriver.Run<GemmMicroKernel256>(a, transA, b, transB, c, m, n, k, accumulate, i0, i1, j0, j1);
    }

    /// <summary>
    /// Where an m×n×k product may be cut into (at most) <paramref name="parts"/> blocks for as many threads: by
    /// columns (each thread then packs only its own part of B) at multiples of <see cref="ColumnCutMultiple"/> near
    /// the even cuts (160 → 80 + 80, not 96 + 64) when no part is more than 10 % above an even share; otherwise by
    /// rows (the first layer's 64×9 weight gradient, the last layer's 40 positions); one part when the product is
    /// small (<see cref="MinSplitVolume"/>) or has fewer rows than parts.
    /// </summary>
    public static GemmSplit Split(int m, int n, int k, int parts)
    {
        if (parts < 2 || m <= 0 || n <= 0 || (long)m * n * k < MinSplitVolume)
            return new GemmSplit(false, 1, m, n);
        var byColumns = new GemmSplit(true, parts, m, n);
        bool balanced = true;
        for (int p = 0; p < parts && balanced; p++)
        {
            int width = byColumns.Block(p).Columns;
            balanced = width > 0 && 10L * parts * width <= 11L * n;
        }
        if (balanced) return byColumns;
        return m >= parts ? new GemmSplit(false, parts, m, n) : new GemmSplit(false, 1, m, n);
    }

    private static void Validate(int aLen, bool transA, int bLen, bool transB, int cLen, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Gemm: dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        long needA = (long)m * k, needB = (long)k * n, needC = (long)m * n;
        if (aLen < needA)
            throw new ArgumentException(
                $"Gemm: A has {aLen} elements but op(A) is {m}×{k} (transA={Bool(transA)}) and needs {needA}.", "a");
        if (bLen < needB)
            throw new ArgumentException(
                $"Gemm: B has {bLen} elements but op(B) is {k}×{n} (transB={Bool(transB)}) and needs {needB}.", "b");
        if (cLen < needC)
            throw new ArgumentException($"Gemm: C has {cLen} elements but C is {m}×{n} and needs {needC}.", "c");
    }

    private static string Bool(bool v) => v ? "true" : "false";
}

/// <summary>Reference-grade scalar path: a plain i-p-j loop.</summary>
internal static class GemmScalar
{
    /// <summary>Rows [i0, i1) × columns [j0, j1) of C (all of it for 0, m, 0, n).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Multiply(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                Span<float> c, int m, int n, int k, bool accumulate, int i0, int i1, int j0, int j1)
    {
        for (int i = i0; i < i1; i++)
        {
            var row = c.Slice(i * n, n);
            if (!accumulate)
                row[j0..j1].Clear();
            for (int p = 0; p < k; p++)
            {
                float aip = transA ? a[p * m + i] : a[i * k + p];
                if (transB)
                {
                    for (int j = j0; j < j1; j++)
                        row[j] += aip * b[j * k + p];
                }
                else
                {
                    var brow = b.Slice(p * n, n);
                    for (int j = j0; j < j1; j++)
                        row[j] += aip * brow[j];
                }
            }
        }
    }
}
