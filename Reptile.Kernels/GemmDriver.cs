using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Reptile.Kernels;

/// <summary>A register-blocked kernel: C[MR×NR] (+)= Apanel[kc×MR]ᵀ·Bpanel[kc×NR] over packed panels.</summary>
internal unsafe interface IGemmMicroKernel
{
    static abstract int MR { get; }
    static abstract int NR { get; }

    /// <summary>a: kc steps of MR floats, aStep apart (MR when packed); b: kc steps of NR floats
    /// (64-byte aligned); c: row stride ldc.</summary>
    static abstract void Run(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add);

    /// <summary>As <see cref="Run"/> for the first NR/2 columns only (C row stride ldc, B still NR wide).</summary>
    static abstract void RunHalf(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add);

    /// <summary>As <see cref="Run"/> for the first NR/4 columns only, with half-width vectors.</summary>
    static abstract void RunQuarter(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add);
}

/// <summary>The BLIS loop nest (jc → pc → ic → jr → ir) with per-thread packing buffers.</summary>
[SkipLocalsInit]
internal static unsafe class GemmDriver
{
    [ThreadStatic] private static float[]? bufA;
    [ThreadStatic] private static float[]? bufB;

    /// <summary>Rows [i0, i1) × columns [j0, j1) of C (all of it for 0, m, 0, n). Each element's arithmetic
    /// does not depend on the range, so parts computed separately equal the whole.</summary>
    public static void Run<TK>(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                               Span<float> c, int m, int n, int k, bool accumulate, int i0, int i1, int j0, int j1)
        where TK : IGemmMicroKernel
    {
        int mr = TK.MR, nr = TK.NR;
        var settings = ComputeSettings.Current;
        int depthBlock = settings.DepthBlock, rowBlock = settings.RowBlock, columnBlock = settings.ColumnBlock;
        // Balanced blocks: 576 = 3×192 rather than 256+256+64.
        int kBlocks = (k + depthBlock - 1) / depthBlock;
        int kcStep = (k + kBlocks - 1) / kBlocks;
        int height = i1 - i0;
        int mBlocks = (height + rowBlock - 1) / rowBlock;
        int mcStep = RoundUp((height + mBlocks - 1) / mBlocks, mr);
        int width = j1 - j0;
        int nBlocks = (width + columnBlock - 1) / columnBlock;
        int ncStep = RoundUp((width + nBlocks - 1) / nBlocks, nr);

        float* pa = Buffer(ref bufA, mcStep * kcStep);
        float* pb = Buffer(ref bufB, ncStep * kcStep);
        float* tile = stackalloc float[mr * nr];

        fixed (float* A = a, B = b, C = c)
        {
            for (int jc = j0; jc < j1; jc += ncStep)
            {
                int nc = Math.Min(ncStep, j1 - jc);
                for (int pc = 0; pc < k; pc += kcStep)
                {
                    int kc = Math.Min(kcStep, k - pc);
                    bool add = accumulate || pc > 0;
                    GemmPacking.PackB<TK>(pb, B, transB, n, k, jc, nc, pc, kc);
                    for (int ic = i0; ic < i1; ic += mcStep)
                    {
                        int mc = Math.Min(mcStep, i1 - ic);
                        if (transA)
                        {
                            // Aᵀ stored k×m already has the packed layout (MR row values per k step, m apart):
                            // the kernel reads full panels in place; only a ragged last panel is packed.
                            int full = mc / mr * mr;
                            if (full < mc)
                                GemmPacking.PackA<TK>(pa, A, true, m, k, ic + full, mc - full, pc, kc);
                            Macro<TK>(pa, A + (nint)pc * m + ic, m, full, pb, C + (nint)ic * n + jc, n, mc, nc, kc, add, tile);
                        }
                        else
                        {
                            GemmPacking.PackA<TK>(pa, A, false, m, k, ic, mc, pc, kc);
                            Macro<TK>(pa, null, 0, 0, pb, C + (nint)ic * n + jc, n, mc, nc, kc, add, tile);
                        }
                    }
                }
            }
        }
    }

    // pa: packed A panels; when aDirect is set, only the panels from row directRows on, packed from 0.
    // aDirect: unpacked A read in place for rows below directRows, lda floats per k step.
    private static void Macro<TK>(float* pa, float* aDirect, nint lda, int directRows, float* pb, float* c, int ldc,
                                  int mc, int nc, int kc, bool add, float* tile)
        where TK : IGemmMicroKernel
    {
        int mr = TK.MR, nr = TK.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nrr = Math.Min(nr, nc - jr);
            float* bp = pb + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mrr = Math.Min(mr, mc - ir);
                float* ap;
                nint aStep;
                if (ir < directRows) { ap = aDirect + ir; aStep = lda; }
                else { ap = pa + (nint)(ir - directRows) * kc; aStep = mr; }
                float* cp = c + (nint)ir * ldc + jr;
                int width = GemmPacking.PanelWidth<TK>(nrr);
                if (mrr == mr && nrr == width)
                {
                    if (width == nr) TK.Run(kc, ap, aStep, bp, cp, ldc, add);
                    else if (width == nr / 2) TK.RunHalf(kc, ap, aStep, bp, cp, ldc, add);
                    else TK.RunQuarter(kc, ap, aStep, bp, cp, ldc, add);
                }
                else
                {
                    // Edge tile: the padded panels give a full tile; keep only its valid corner.
                    if (width == nr) TK.Run(kc, ap, aStep, bp, tile, nr, false);
                    else if (width == nr / 2) TK.RunHalf(kc, ap, aStep, bp, tile, nr, false);
                    else TK.RunQuarter(kc, ap, aStep, bp, tile, nr, false);
                    for (int i = 0; i < mrr; i++)
                    {
                        float* src = tile + i * nr;
                        float* dst = cp + (nint)i * ldc;
                        if (add)
                            for (int j = 0; j < nrr; j++) dst[j] += src[j];
                        else
                            for (int j = 0; j < nrr; j++) dst[j] = src[j];
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    // Pinned (POH) so the aligned pointer stays valid; grown on demand, never shrunk.
    internal static float* Buffer(ref float[]? buf, int floats)
    {
        if (buf == null || buf.Length < floats + 16)
            buf = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buf));
        return (float*)((p + 63) & ~(nint)63);
    }
}
