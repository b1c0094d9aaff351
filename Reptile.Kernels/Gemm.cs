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
    /// <summary>
    /// C (m×n, row-major, contiguous) = op(A)·op(B), or C += op(A)·op(B) when <paramref name="accumulate"/>.
    /// op(A) is m×k: A is stored m×k row-major, or k×m row-major when <paramref name="transA"/> (so op(A) = Aᵀ).
    /// op(B) is k×n: B is stored k×n row-major, or n×k row-major when <paramref name="transB"/>.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                Span<float> c, int m, int n, int k, bool accumulate = false) =>
        MultiplyRows(a, transA, b, transB, c, m, n, k, accumulate, 0, m);

    /// <summary>
    /// Rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of <see cref="Multiply"/>'s result, the rest of C
    /// untouched, computed exactly as <see cref="Multiply"/> computes them (same route, same order along k) wherever
    /// the range is cut: threads can share a product with few columns by taking row ranges.
    /// </summary>
    public static void MultiplyRows(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                    Span<float> c, int m, int n, int k, bool accumulate, int rowStart, int rowEnd)
    {
        Validate(a.Length, transA, b.Length, transB, c.Length, m, n, k);
        if (rowStart < 0 || rowEnd > m || rowStart > rowEnd)
            throw new ArgumentException($"Gemm: rows [{rowStart}, {rowEnd}) are not within the {m} rows of C.");
        if (n == 0 || rowStart == rowEnd)
            return;
        if (k == 0)
        {
            if (!accumulate)
                c[(rowStart * n)..(rowEnd * n)].Clear();
            return;
        }
        Rows(a, transA, b, transB, c, m, n, k, accumulate, rowStart, rowEnd);
    }

    /// <summary>The route for the whole product's shape, run over rows [i0, i1).</summary>
    private static void Rows(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                             Span<float> c, int m, int n, int k, bool accumulate, int i0, int i1)
    {
        var path = Simd.Current;
        if (path == SimdPath.Scalar)
            GemmScalar.Multiply(a, transA, b, transB, c, m, n, k, accumulate, i0, i1, 0, n);
        else if (GemmSmall.Applies(m, n, k, transA, transB))
            GemmSmall.Multiply(path, a, transA, b, transB, c, m, n, k, accumulate, i0, i1);
        else if (GemmNarrow.Applies(n, k, transA, transB))
            GemmNarrow.Multiply(a, b, c, n, k, accumulate, i0, i1, 0, n);
        else if (path == SimdPath.Vector512)
            GemmDriver.Run<GemmMicroKernel512>(a, transA, b, transB, c, m, n, k, accumulate, i0, i1, 0, n);
        else if (path == SimdPath.Vector128)
            GemmDriver.Run<GemmMicroKernel128>(a, transA, b, transB, c, m, n, k, accumulate, i0, i1, 0, n);
        else
            GemmDriver.Run<GemmMicroKernel256>(a, transA, b, transB, c, m, n, k, accumulate, i0, i1, 0, n);
    }

    /// <summary>
    /// Columns [<paramref name="columnStart"/>, <paramref name="columnEnd"/>) of <see cref="Multiply"/>'s result,
    /// the rest of C untouched: threads can share one product by taking column ranges. Wherever the range is cut,
    /// every element is computed exactly as <see cref="Multiply"/> computes it on the vector paths for products
    /// too large for the unpacked route (the same fused multiply-adds in the same order along k, whichever kernel
    /// width covers its panel), so splitting never changes the numbers.
    /// </summary>
    public static void MultiplyColumns(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                       Span<float> c, int m, int n, int k, bool accumulate, int columnStart, int columnEnd)
    {
        Validate(a.Length, transA, b.Length, transB, c.Length, m, n, k);
        if (columnStart < 0 || columnEnd > n || columnStart > columnEnd)
            throw new ArgumentException($"Gemm: columns [{columnStart}, {columnEnd}) are not within the {n} columns of C.");
        if (m == 0 || columnStart == columnEnd)
            return;
        if (k == 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) c.Slice(i * n + columnStart, columnEnd - columnStart).Clear();
            return;
        }
        var path = Simd.Current;
        if (path == SimdPath.Scalar)
            GemmScalar.Multiply(a, transA, b, transB, c, m, n, k, accumulate, 0, m, columnStart, columnEnd);
        else if (GemmNarrow.Applies(n, k, transA, transB))
            GemmNarrow.Multiply(a, b, c, n, k, accumulate, 0, m, columnStart, columnEnd);
        else if (path == SimdPath.Vector512)
            GemmDriver.Run<GemmMicroKernel512>(a, transA, b, transB, c, m, n, k, accumulate, 0, m, columnStart, columnEnd);
        else if (path == SimdPath.Vector128)
            GemmDriver.Run<GemmMicroKernel128>(a, transA, b, transB, c, m, n, k, accumulate, 0, m, columnStart, columnEnd);
        else
            GemmDriver.Run<GemmMicroKernel256>(a, transA, b, transB, c, m, n, k, accumulate, 0, m, columnStart, columnEnd);
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
