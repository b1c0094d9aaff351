using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>
/// C = A·Bᵀ with few columns and long rows (A m×k, B n×k, both row-major; n ≤ 16): the weight gradient of a
/// convolution with few taps, e.g. the first layer's 64×9 from 1960 positions. The blocked driver would transpose
/// all of A into panels to fill a mostly empty tile; here each pair of A rows is read once, in place, against four
/// B rows at a time held as eight running dot products.
/// </summary>
internal static unsafe class GemmNarrow
{
    public const int MaxColumns = 16;

    /// <summary>Rows long enough that streaming them beats the driver's packing.</summary>
    public const int MinDepth = 64;

    public static bool Applies(int n, int k, bool transA, bool transB) =>
        transB && !transA && n <= MaxColumns && k >= MinDepth;

    /// <summary>Rows [i0, i1) × columns [j0, j1) of C; each element is one dot product, so parts equal the whole.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
                                int n, int k, bool accumulate, int i0, int i1, int j0, int j1)
    {
        float* dots = stackalloc float[8];
        bool narrowVectors = Simd.Current == SimdPath.Vector128;
        fixed (float* A = a, B = b, C = c)
        {
            for (int i = i0; i < i1; i += 2)
            {
                int rows = Math.Min(2, i1 - i);
                float* a0 = A + (nint)i * k;
                float* a1 = rows == 2 ? a0 + k : a0; // a lone last row is paired with itself; its copy is dropped
                for (int j = j0; j < j1; j += 4)
                {
                    int cols = Math.Min(4, j1 - j);
                    float* b0 = B + (nint)j * k;
                    // Missing B rows repeat the last one; their dots are dropped.
                    float* b1 = b0 + (nint)Math.Min(1, cols - 1) * k;
                    float* b2 = b0 + (nint)Math.Min(2, cols - 1) * k;
                    float* b3 = b0 + (nint)Math.Min(3, cols - 1) * k;
                    if (narrowVectors) Dots128(a0, a1, b0, b1, b2, b3, k, dots);
                    else Dots(a0, a1, b0, b1, b2, b3, k, dots);
                    for (int r = 0; r < rows; r++)
                    {
                        float* ci = C + (nint)(i + r) * n + j;
                        for (int q = 0; q < cols; q++)
                            ci[q] = accumulate ? ci[q] + dots[r * 4 + q] : dots[r * 4 + q];
                    }
                }
            }
        }
    }

    /// <summary>dots[r·4 + q] = a_r·b_q over k (r &lt; 2, q &lt; 4): vector lanes, their sum, then the scalar tail.
    /// 256 bits wide on the 256- and 512-bit paths: rows k floats apart are only 32-byte aligned, so 512-bit loads split
    /// cache lines on every other row (measured here on 64×9×1960: 49 GFLOP/s at 512 bits, 57 at 256).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots(float* a0, float* a1, float* b0, float* b1, float* b2, float* b3, int k, float* dots)
    {
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var x0 = Vector256.Load(a0 + p);
            var x1 = Vector256.Load(a1 + p);
            var y = Vector256.Load(b0 + p);
            s00 = Vector256.FusedMultiplyAdd(x0, y, s00); s10 = Vector256.FusedMultiplyAdd(x1, y, s10);
            y = Vector256.Load(b1 + p);
            s01 = Vector256.FusedMultiplyAdd(x0, y, s01); s11 = Vector256.FusedMultiplyAdd(x1, y, s11);
            y = Vector256.Load(b2 + p);
            s02 = Vector256.FusedMultiplyAdd(x0, y, s02); s12 = Vector256.FusedMultiplyAdd(x1, y, s12);
            y = Vector256.Load(b3 + p);
            s03 = Vector256.FusedMultiplyAdd(x0, y, s03); s13 = Vector256.FusedMultiplyAdd(x1, y, s13);
        }
        dots[0] = Vector256.Sum(s00); dots[1] = Vector256.Sum(s01); dots[2] = Vector256.Sum(s02); dots[3] = Vector256.Sum(s03);
        dots[4] = Vector256.Sum(s10); dots[5] = Vector256.Sum(s11); dots[6] = Vector256.Sum(s12); dots[7] = Vector256.Sum(s13);
        Tail(a0, a1, b0, b1, b2, b3, p, k, dots);
    }

    /// <summary>As <see cref="Dots"/> with 128-bit vectors, for the 128-bit path (ARM64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots128(float* a0, float* a1, float* b0, float* b1, float* b2, float* b3, int k, float* dots)
    {
        Vector128<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector128<float> s10 = default, s11 = default, s12 = default, s13 = default;
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            var x0 = Vector128.Load(a0 + p);
            var x1 = Vector128.Load(a1 + p);
            var y = Vector128.Load(b0 + p);
            s00 = Vector128.FusedMultiplyAdd(x0, y, s00); s10 = Vector128.FusedMultiplyAdd(x1, y, s10);
            y = Vector128.Load(b1 + p);
            s01 = Vector128.FusedMultiplyAdd(x0, y, s01); s11 = Vector128.FusedMultiplyAdd(x1, y, s11);
            y = Vector128.Load(b2 + p);
            s02 = Vector128.FusedMultiplyAdd(x0, y, s02); s12 = Vector128.FusedMultiplyAdd(x1, y, s12);
            y = Vector128.Load(b3 + p);
            s03 = Vector128.FusedMultiplyAdd(x0, y, s03); s13 = Vector128.FusedMultiplyAdd(x1, y, s13);
        }
        dots[0] = Vector128.Sum(s00); dots[1] = Vector128.Sum(s01); dots[2] = Vector128.Sum(s02); dots[3] = Vector128.Sum(s03);
        dots[4] = Vector128.Sum(s10); dots[5] = Vector128.Sum(s11); dots[6] = Vector128.Sum(s12); dots[7] = Vector128.Sum(s13);
        Tail(a0, a1, b0, b1, b2, b3, p, k, dots);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tail(float* a0, float* a1, float* b0, float* b1, float* b2, float* b3, int p, int k, float* dots)
    {
        for (; p < k; p++)
        {
            dots[0] = MathF.FusedMultiplyAdd(a0[p], b0[p], dots[0]); dots[1] = MathF.FusedMultiplyAdd(a0[p], b1[p], dots[1]);
            dots[2] = MathF.FusedMultiplyAdd(a0[p], b2[p], dots[2]); dots[3] = MathF.FusedMultiplyAdd(a0[p], b3[p], dots[3]);
            dots[4] = MathF.FusedMultiplyAdd(a1[p], b0[p], dots[4]); dots[5] = MathF.FusedMultiplyAdd(a1[p], b1[p], dots[5]);
            dots[6] = MathF.FusedMultiplyAdd(a1[p], b2[p], dots[6]); dots[7] = MathF.FusedMultiplyAdd(a1[p], b3[p], dots[7]);
        }
    }
}
