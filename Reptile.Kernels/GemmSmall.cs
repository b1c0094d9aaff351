using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reptile.Kernels;

/// <summary>
/// Tiny products (dense heads, a small MLP), where packing and blocking cost more than they save:
/// direct loops over the unpacked operands.
/// </summary>
internal static unsafe class GemmSmall
{
    [ThreadStatic] private static float[]? transposedB;

    public static bool Applies(int m, int n, int k, bool transA, bool transB) =>
        !(transA && transB) && (long)m * n * k <= ComputeSettings.Current.SmallProductVolume;

    /// <summary>Rows [i0, i1) × columns [j0, j1) of C. Every element is one chain of fused multiply-adds along k (or
    /// one dot product), the same in a vector lane as in the scalar tail, so parts equal the whole.</summary>
    public static void Multiply(SimdPath path, ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                Span<float> c, int m, int n, int k, bool accumulate, int i0, int i1, int j0, int j1)
    {
        fixed (float* A = a, B = b, C = c)
        {
            if (transB && n >= 16 && Avx.IsSupported)
            {
                // A dot product per output spends most of its time in horizontal sums; transposing B (vector-wide
                // 8×8 transposes) lets the row kernel broadcast A instead: x·Wᵀ of a 10×64·64×64 layer 3.1 → 1.6 µs.
                float* bt = GemmDriver.Buffer(ref transposedB, n * k);
                GemmPacking.TransposePack(bt, n, n, B, k, n, k);
                if (path == SimdPath.Vector512) Rows512(A, transA, bt, C, m, n, k, accumulate, i0, i1, j0, j1);
                else if (path == SimdPath.Vector128) Rows128(A, transA, bt, C, m, n, k, accumulate, i0, i1, j0, j1);
                else Rows256(A, transA, bt, C, m, n, k, accumulate, i0, i1, j0, j1);
            }
            else if (transB)
                Dots(path, A, B, C, n, k, accumulate, i0, i1, j0, j1);
            else if (path == SimdPath.Vector512)
                Rows512(A, transA, B, C, m, n, k, accumulate, i0, i1, j0, j1);
            else if (path == SimdPath.Vector128)
                Rows128(A, transA, B, C, m, n, k, accumulate, i0, i1, j0, j1);
            else
                Rows256(A, transA, B, C, m, n, k, accumulate, i0, i1, j0, j1);
        }
    }

    // C[i, j] (+)= A[i, :]·B[j, :]: both rows contiguous in k.
    private static void Dots(SimdPath path, float* a, float* b, float* c, int n, int k, bool accumulate, int i0, int i1, int j0, int j1)
    {
        for (int i = i0; i < i1; i++)
        {
            float* ar = a + (nint)i * k;
            for (int j = j0; j < j1; j++)
            {
                float* br = b + (nint)j * k;
                float s;
                int p = 0;
                if (path == SimdPath.Vector512)
                {
                    Vector512<float> s0 = default, s1 = default;
                    for (; p + 32 <= k; p += 32)
                    {
                        s0 = Vector512.FusedMultiplyAdd(Vector512.Load(ar + p), Vector512.Load(br + p), s0);
                        s1 = Vector512.FusedMultiplyAdd(Vector512.Load(ar + p + 16), Vector512.Load(br + p + 16), s1);
                    }
                    for (; p + 16 <= k; p += 16)
                        s0 = Vector512.FusedMultiplyAdd(Vector512.Load(ar + p), Vector512.Load(br + p), s0);
                    s = Vector512.Sum(s0 + s1);
                }
                else if (path == SimdPath.Vector128)
                {
                    Vector128<float> s0 = default, s1 = default;
                    for (; p + 8 <= k; p += 8)
                    {
                        s0 = Vector128.FusedMultiplyAdd(Vector128.Load(ar + p), Vector128.Load(br + p), s0);
                        s1 = Vector128.FusedMultiplyAdd(Vector128.Load(ar + p + 4), Vector128.Load(br + p + 4), s1);
                    }
                    for (; p + 4 <= k; p += 4)
                        s0 = Vector128.FusedMultiplyAdd(Vector128.Load(ar + p), Vector128.Load(br + p), s0);
                    s = Vector128.Sum(s0 + s1);
                }
                else
                {
                    Vector256<float> s0 = default, s1 = default;
                    for (; p + 16 <= k; p += 16)
                    {
                        s0 = Vector256.FusedMultiplyAdd(Vector256.Load(ar + p), Vector256.Load(br + p), s0);
                        s1 = Vector256.FusedMultiplyAdd(Vector256.Load(ar + p + 8), Vector256.Load(br + p + 8), s1);
                    }
                    for (; p + 8 <= k; p += 8)
                        s0 = Vector256.FusedMultiplyAdd(Vector256.Load(ar + p), Vector256.Load(br + p), s0);
                    s = Vector256.Sum(s0 + s1);
                }
                for (; p < k; p++)
                    s += ar[p] * br[p];
                float* cij = c + (nint)i * n + j;
                *cij = accumulate ? *cij + s : s;
            }
        }
    }

    // C[i, :] (+)= Σp op(A)[i, p]·B[p, :], a few vectors of the row held in registers across p.
    private static void Rows512(float* a, bool transA, float* b, float* c, int m, int n, int k, bool accumulate, int i0, int i1, int j0, int j1)
    {
        nint aRow = transA ? 1 : k, aStep = transA ? m : 1;
        for (int i = i0; i < i1; i++)
        {
            float* ai = a + i * aRow;
            float* ci = c + (nint)i * n;
            int j = j0;
            for (; j + 64 <= j1; j += 64)
            {
                var c0 = accumulate ? Vector512.Load(ci + j) : default;
                var c1 = accumulate ? Vector512.Load(ci + j + 16) : default;
                var c2 = accumulate ? Vector512.Load(ci + j + 32) : default;
                var c3 = accumulate ? Vector512.Load(ci + j + 48) : default;
                float* bp = b + j;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += aStep)
                {
                    var av = Vector512.Create(*ap);
                    c0 = Vector512.FusedMultiplyAdd(av, Vector512.Load(bp), c0);
                    c1 = Vector512.FusedMultiplyAdd(av, Vector512.Load(bp + 16), c1);
                    c2 = Vector512.FusedMultiplyAdd(av, Vector512.Load(bp + 32), c2);
                    c3 = Vector512.FusedMultiplyAdd(av, Vector512.Load(bp + 48), c3);
                }
                c0.Store(ci + j); c1.Store(ci + j + 16); c2.Store(ci + j + 32); c3.Store(ci + j + 48);
            }
            for (; j + 16 <= j1; j += 16)
            {
                var c0 = accumulate ? Vector512.Load(ci + j) : default;
                float* bp = b + j;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += aStep)
                    c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*ap), Vector512.Load(bp), c0);
                c0.Store(ci + j);
            }
            ScalarTail(ai, aStep, b, ci, j, j1, n, k, accumulate);
        }
    }

    private static void Rows256(float* a, bool transA, float* b, float* c, int m, int n, int k, bool accumulate, int i0, int i1, int j0, int j1)
    {
        nint aRow = transA ? 1 : k, aStep = transA ? m : 1;
        for (int i = i0; i < i1; i++)
        {
            float* ai = a + i * aRow;
            float* ci = c + (nint)i * n;
            int j = j0;
            for (; j + 32 <= j1; j += 32)
            {
                var c0 = accumulate ? Vector256.Load(ci + j) : default;
                var c1 = accumulate ? Vector256.Load(ci + j + 8) : default;
                var c2 = accumulate ? Vector256.Load(ci + j + 16) : default;
                var c3 = accumulate ? Vector256.Load(ci + j + 24) : default;
                float* bp = b + j;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += aStep)
                {
                    var av = Vector256.Create(*ap);
                    c0 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp), c0);
                    c1 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 8), c1);
                    c2 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 16), c2);
                    c3 = Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + 24), c3);
                }
                c0.Store(ci + j); c1.Store(ci + j + 8); c2.Store(ci + j + 16); c3.Store(ci + j + 24);
            }
            for (; j + 8 <= j1; j += 8)
            {
                var c0 = accumulate ? Vector256.Load(ci + j) : default;
                float* bp = b + j;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += aStep)
                    c0 = Vector256.FusedMultiplyAdd(Vector256.Create(*ap), Vector256.Load(bp), c0);
                c0.Store(ci + j);
            }
            ScalarTail(ai, aStep, b, ci, j, j1, n, k, accumulate);
        }
    }

    private static void Rows128(float* a, bool transA, float* b, float* c, int m, int n, int k, bool accumulate, int i0, int i1, int j0, int j1)
    {
        nint aRow = transA ? 1 : k, aStep = transA ? m : 1;
        for (int i = i0; i < i1; i++)
        {
            float* ai = a + i * aRow;
            float* ci = c + (nint)i * n;
            int j = j0;
            for (; j + 16 <= j1; j += 16)
            {
                var c0 = accumulate ? Vector128.Load(ci + j) : default;
                var c1 = accumulate ? Vector128.Load(ci + j + 4) : default;
                var c2 = accumulate ? Vector128.Load(ci + j + 8) : default;
                var c3 = accumulate ? Vector128.Load(ci + j + 12) : default;
                float* bp = b + j;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += aStep)
                {
                    var av = Vector128.Create(*ap);
                    c0 = Vector128.FusedMultiplyAdd(av, Vector128.Load(bp), c0);
                    c1 = Vector128.FusedMultiplyAdd(av, Vector128.Load(bp + 4), c1);
                    c2 = Vector128.FusedMultiplyAdd(av, Vector128.Load(bp + 8), c2);
                    c3 = Vector128.FusedMultiplyAdd(av, Vector128.Load(bp + 12), c3);
                }
                c0.Store(ci + j); c1.Store(ci + j + 4); c2.Store(ci + j + 8); c3.Store(ci + j + 12);
            }
            for (; j + 4 <= j1; j += 4)
            {
                var c0 = accumulate ? Vector128.Load(ci + j) : default;
                float* bp = b + j;
                float* ap = ai;
                for (int p = 0; p < k; p++, bp += n, ap += aStep)
                    c0 = Vector128.FusedMultiplyAdd(Vector128.Create(*ap), Vector128.Load(bp), c0);
                c0.Store(ci + j);
            }
            ScalarTail(ai, aStep, b, ci, j, j1, n, k, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScalarTail(float* ai, nint aStep, float* b, float* ci, int j, int j1, int n, int k, bool accumulate)
    {
        for (; j < j1; j++)
        {
            float s = accumulate ? ci[j] : 0f;
            float* bp = b + j;
            float* ap = ai;
            for (int p = 0; p < k; p++, bp += n, ap += aStep)
                s = MathF.FusedMultiplyAdd(*ap, *bp, s);
            ci[j] = s;
        }
    }
}
