using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
            else if (Avx.IsSupported)
            {
                TransposePack(dst, mr, mr, a + (nint)(i0 + ir) * k + p0, k, rows, kc);
                dst += (nint)mr * kc;
            }
            else
            {
                // Stored m×k: each row is contiguous in k.
                ScatterPack(dst, mr, mr, a + (nint)(i0 + ir) * k + p0, k, rows, kc);
                dst += (nint)mr * kc;
            }
        }
    }

    /// <summary>The width of the kernel (full, half or quarter) that computes a panel of <paramref name="columns"/>
    /// columns: the narrowest that covers it (same lanes per cycle on CPUs that split wide FMAs, fewer wasted lanes).
    /// Packing fills that width, the driver calls that kernel.</summary>
    public static int PanelWidth<TK>(int columns) where TK : IGemmMicroKernel
    {
        int nr = TK.NR;
        return columns <= nr / 4 ? nr / 4 : columns <= nr / 2 ? nr / 2 : nr;
    }

    /// <summary>op(B)[p0..p0+kc, j0..j0+nc] → panels of NR columns, each kc×NR.</summary>
    public static void PackB<TK>(float* dst, float* b, bool transB, int n, int k, int j0, int nc, int p0, int kc)
        where TK : IGemmMicroKernel
    {
        int nr = TK.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            // A ragged last panel is read by the half/quarter kernels: fill (and pad) only that width.
            int fill = PanelWidth<TK>(cols);
            if (!transB)
            {
                // Stored k×n: each k step's columns are contiguous.
                float* src = b + (nint)p0 * n + j0 + jr;
                if (cols == fill)
                {
                    for (int p = 0; p < kc; p++, src += n, dst += nr)
                        Unsafe.CopyBlockUnaligned(dst, src, (uint)(fill * sizeof(float)));
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += n, dst += nr)
                    {
                        int j = 0;
                        for (; j < cols; j++) dst[j] = src[j];
                        for (; j < fill; j++) dst[j] = 0f;
                    }
                }
            }
            else if (Avx.IsSupported)
            {
                TransposePack(dst, nr, fill, b + (nint)(j0 + jr) * k + p0, k, cols, kc);
                dst += (nint)nr * kc;
            }
            else
            {
                // Stored n×k: each column is contiguous in k.
                ScatterPack(dst, nr, fill, b + (nint)(j0 + jr) * k + p0, k, cols, kc);
                dst += (nint)nr * kc;
            }
        }
    }

    /// <summary>The scalar fallback of <see cref="TransposePack"/>: source rows <paramref name="ld"/> apart, each contiguous
    /// in k, scattered across a panel <paramref name="width"/> lanes wide; lanes <paramref name="rows"/> to
    /// <paramref name="fill"/> are zeroed.</summary>
    private static void ScatterPack(float* dst, int width, int fill, float* src, nint ld, int rows, int kc)
    {
        for (int r = 0; r < rows; r++, src += ld)
        {
            float* d = dst + r;
            for (int p = 0; p < kc; p++, d += width) *d = src[p];
        }
        for (int r = rows; r < fill; r++)
        {
            float* d = dst + r;
            for (int p = 0; p < kc; p++, d += width) *d = 0f;
        }
    }

    /// <summary>
    /// dst[p·width + r] = src[r·ld + p] for r &lt; rows (zero for rows ≤ r &lt; fill), p &lt; kc: the
    /// transposing copy, done as 8×8 register transposes so reads and writes stay vector-wide.
    /// </summary>
    internal static void TransposePack(float* dst, int width, int fill, float* src, nint ld, int rows, int kc)
    {
        for (int r0 = 0; r0 < fill; r0 += 8)
        {
            int gw = Math.Min(8, fill - r0);          // lanes this group owns in the panel
            int valid = Math.Clamp(rows - r0, 0, gw);   // of which come from the source
            float* s = src + r0 * ld;
            float* d = dst + r0;
            int p = 0;
            for (; p + 8 <= kc; p += 8, d += 8 * width)
            {
                var x0 = valid > 0 ? Vector256.Load(s + p) : default;
                var x1 = valid > 1 ? Vector256.Load(s + ld + p) : default;
                var x2 = valid > 2 ? Vector256.Load(s + 2 * ld + p) : default;
                var x3 = valid > 3 ? Vector256.Load(s + 3 * ld + p) : default;
                var x4 = valid > 4 ? Vector256.Load(s + 4 * ld + p) : default;
                var x5 = valid > 5 ? Vector256.Load(s + 5 * ld + p) : default;
                var x6 = valid > 6 ? Vector256.Load(s + 6 * ld + p) : default;
                var x7 = valid > 7 ? Vector256.Load(s + 7 * ld + p) : default;
                var t0 = Avx.UnpackLow(x0, x1); var t1 = Avx.UnpackHigh(x0, x1);
                var t2 = Avx.UnpackLow(x2, x3); var t3 = Avx.UnpackHigh(x2, x3);
                var t4 = Avx.UnpackLow(x4, x5); var t5 = Avx.UnpackHigh(x4, x5);
                var t6 = Avx.UnpackLow(x6, x7); var t7 = Avx.UnpackHigh(x6, x7);
                var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
                var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
                var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
                var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
                Put(d, width, gw, 0, Avx.Permute2x128(u0, u4, 0x20));
                Put(d, width, gw, 1, Avx.Permute2x128(u1, u5, 0x20));
                Put(d, width, gw, 2, Avx.Permute2x128(u2, u6, 0x20));
                Put(d, width, gw, 3, Avx.Permute2x128(u3, u7, 0x20));
                Put(d, width, gw, 4, Avx.Permute2x128(u0, u4, 0x31));
                Put(d, width, gw, 5, Avx.Permute2x128(u1, u5, 0x31));
                Put(d, width, gw, 6, Avx.Permute2x128(u2, u6, 0x31));
                Put(d, width, gw, 7, Avx.Permute2x128(u3, u7, 0x31));
            }
            for (; p < kc; p++, d += width)
            {
                int r = 0;
                for (; r < valid; r++) d[r] = s[r * ld + p];
                for (; r < gw; r++) d[r] = 0f;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* d, int width, int gw, int q, Vector256<float> v)
    {
        float* at = d + q * width;
        if (gw == 8)
            v.Store(at);
        else if (gw >= 4)
        {
            v.GetLower().Store(at);
            var hi = v.GetUpper();
            for (int l = 4; l < gw; l++) at[l] = hi.GetElement(l - 4);
        }
        else
            for (int l = 0; l < gw; l++) at[l] = v.GetElement(l);
    }
}
