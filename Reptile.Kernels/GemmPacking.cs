using System.Runtime.CompilerServices;

namespace Reptile.Kernels;

/// <summary>
/// Copies blocks of op(A) / op(B) into contiguous micro-panels in the order the micro-kernel reads
/// them (A: per k step MR row values; B: per k step NR column values), zero-padding the edges.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>op(A)[i0..i0+mc, p0..p0+kc] → panels of MR rows, each kc×MR.</summary>
    public static void PackA<TK>(float* dst, float* a, bool transA, int m, int k, int i0, int mc, int p0, int kc)
        where TK : IGemmMicroKernel
    {
        int mr = TK.MR;
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (transA)
            {
                // Stored k×m: each k step's rows are contiguous.
                float* src = a + (nint)p0 * m + i0 + ir;
                for (int p = 0; p < kc; p++, src += m, dst += mr)
                {
                    int r = 0;
                    for (; r < rows; r++) dst[r] = src[r];
                    for (; r < mr; r++) dst[r] = 0f;
                }
            }
            else
            {
                // Stored m×k: each row is contiguous in k; scatter it across the panel.
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (nint)(i0 + ir + r) * k + p0;
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++, d += mr) *d = src[p];
                }
                for (int r = rows; r < mr; r++)
                {
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++, d += mr) *d = 0f;
                }
                dst += (nint)mr * kc;
            }
        }
    }

    /// <summary>op(B)[p0..p0+kc, j0..j0+nc] → panels of NR columns, each kc×NR.</summary>
    public static void PackB<TK>(float* dst, float* b, bool transB, int n, int k, int j0, int nc, int p0, int kc)
        where TK : IGemmMicroKernel
    {
        int nr = TK.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            if (!transB)
            {
                // Stored k×n: each k step's columns are contiguous.
                float* src = b + (nint)p0 * n + j0 + jr;
                if (cols == nr)
                {
                    for (int p = 0; p < kc; p++, src += n, dst += nr)
                        Unsafe.CopyBlockUnaligned(dst, src, (uint)(nr * sizeof(float)));
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += n, dst += nr)
                    {
                        int j = 0;
                        for (; j < cols; j++) dst[j] = src[j];
                        for (; j < nr; j++) dst[j] = 0f;
                    }
                }
            }
            else
            {
                // Stored n×k: each column is contiguous in k; scatter it across the panel.
                for (int j = 0; j < cols; j++)
                {
                    float* src = b + (nint)(j0 + jr + j) * k + p0;
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++, d += nr) *d = src[p];
                }
                for (int j = cols; j < nr; j++)
                {
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++, d += nr) *d = 0f;
                }
                dst += (nint)nr * kc;
            }
        }
    }
}
