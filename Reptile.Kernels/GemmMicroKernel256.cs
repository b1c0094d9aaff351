using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reptile.Kernels;

/// <summary>6×16 tile in 12 ymm accumulators (fits the 16 registers of AVX2-only machines).</summary>
internal readonly unsafe struct GemmMicroKernel256 : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add)
    {
        Vector256<float> c0_0 = default; Vector256<float> c0_1 = default;
        Vector256<float> c1_0 = default; Vector256<float> c1_1 = default;
        Vector256<float> c2_0 = default; Vector256<float> c2_1 = default;
        Vector256<float> c3_0 = default; Vector256<float> c3_1 = default;
        Vector256<float> c4_0 = default; Vector256<float> c4_1 = default;
        Vector256<float> c5_0 = default; Vector256<float> c5_1 = default;
        if (Sse.IsSupported)
        {
            // The C tile is touched only after the k loop: start pulling it in now.
            Sse.Prefetch0(c + 0 * ldc);
            Sse.Prefetch0(c + 1 * ldc);
            Sse.Prefetch0(c + 2 * ldc);
            Sse.Prefetch0(c + 3 * ldc);
            Sse.Prefetch0(c + 4 * ldc);
            Sse.Prefetch0(c + 5 * ldc);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadAligned(b + 0);
            var b1 = Vector256.LoadAligned(b + 8);
            var a0 = Vector256.Create(a[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector256.Create(a[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector256.Create(a[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector256.Create(a[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector256.Create(a[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector256.Create(a[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
            a += aStep;
            b += 16;
        }
        if (add)
        {
            Add(c0_0, c + 0 * ldc + 0);
            Add(c0_1, c + 0 * ldc + 8);
            Add(c1_0, c + 1 * ldc + 0);
            Add(c1_1, c + 1 * ldc + 8);
            Add(c2_0, c + 2 * ldc + 0);
            Add(c2_1, c + 2 * ldc + 8);
            Add(c3_0, c + 3 * ldc + 0);
            Add(c3_1, c + 3 * ldc + 8);
            Add(c4_0, c + 4 * ldc + 0);
            Add(c4_1, c + 4 * ldc + 8);
            Add(c5_0, c + 5 * ldc + 0);
            Add(c5_1, c + 5 * ldc + 8);
        }
        else
        {
            Vector256.Store(c0_0, c + 0 * ldc + 0);
            Vector256.Store(c0_1, c + 0 * ldc + 8);
            Vector256.Store(c1_0, c + 1 * ldc + 0);
            Vector256.Store(c1_1, c + 1 * ldc + 8);
            Vector256.Store(c2_0, c + 2 * ldc + 0);
            Vector256.Store(c2_1, c + 2 * ldc + 8);
            Vector256.Store(c3_0, c + 3 * ldc + 0);
            Vector256.Store(c3_1, c + 3 * ldc + 8);
            Vector256.Store(c4_0, c + 4 * ldc + 0);
            Vector256.Store(c4_1, c + 4 * ldc + 8);
            Vector256.Store(c5_0, c + 5 * ldc + 0);
            Vector256.Store(c5_1, c + 5 * ldc + 8);
        }
    }

    /// <summary>Columns 0..7 only, for a ragged last panel with at most 8 valid columns (B still packed 16 wide).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunHalf(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add)
    {
        Vector256<float> c0 = default; Vector256<float> c1 = default; Vector256<float> c2 = default; Vector256<float> c3 = default; Vector256<float> c4 = default; Vector256<float> c5 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadAligned(b);
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[1]), b0, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[2]), b0, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[3]), b0, c3);
            c4 = Vector256.FusedMultiplyAdd(Vector256.Create(a[4]), b0, c4);
            c5 = Vector256.FusedMultiplyAdd(Vector256.Create(a[5]), b0, c5);
            a += aStep;
            b += 16;
        }
        if (add)
        {
            Add(c0, c + 0 * ldc);
            Add(c1, c + 1 * ldc);
            Add(c2, c + 2 * ldc);
            Add(c3, c + 3 * ldc);
            Add(c4, c + 4 * ldc);
            Add(c5, c + 5 * ldc);
        }
        else
        {
            Vector256.Store(c0, c + 0 * ldc);
            Vector256.Store(c1, c + 1 * ldc);
            Vector256.Store(c2, c + 2 * ldc);
            Vector256.Store(c3, c + 3 * ldc);
            Vector256.Store(c4, c + 4 * ldc);
            Vector256.Store(c5, c + 5 * ldc);
        }
    }

    /// <summary>Columns 0..3 only, for a ragged last panel with at most 4 valid columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunQuarter(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add)
    {
        Vector128<float> c0 = default; Vector128<float> c1 = default; Vector128<float> c2 = default; Vector128<float> c3 = default; Vector128<float> c4 = default; Vector128<float> c5 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadAligned(b);
            c0 = Vector128.FusedMultiplyAdd(Vector128.Create(a[0]), b0, c0);
            c1 = Vector128.FusedMultiplyAdd(Vector128.Create(a[1]), b0, c1);
            c2 = Vector128.FusedMultiplyAdd(Vector128.Create(a[2]), b0, c2);
            c3 = Vector128.FusedMultiplyAdd(Vector128.Create(a[3]), b0, c3);
            c4 = Vector128.FusedMultiplyAdd(Vector128.Create(a[4]), b0, c4);
            c5 = Vector128.FusedMultiplyAdd(Vector128.Create(a[5]), b0, c5);
            a += aStep;
            b += 16;
        }
        if (add)
        {
            Vector128.Store(Vector128.Load(c + 0 * ldc) + c0, c + 0 * ldc);
            Vector128.Store(Vector128.Load(c + 1 * ldc) + c1, c + 1 * ldc);
            Vector128.Store(Vector128.Load(c + 2 * ldc) + c2, c + 2 * ldc);
            Vector128.Store(Vector128.Load(c + 3 * ldc) + c3, c + 3 * ldc);
            Vector128.Store(Vector128.Load(c + 4 * ldc) + c4, c + 4 * ldc);
            Vector128.Store(Vector128.Load(c + 5 * ldc) + c5, c + 5 * ldc);
        }
        else
        {
            Vector128.Store(c0, c + 0 * ldc);
            Vector128.Store(c1, c + 1 * ldc);
            Vector128.Store(c2, c + 2 * ldc);
            Vector128.Store(c3, c + 3 * ldc);
            Vector128.Store(c4, c + 4 * ldc);
            Vector128.Store(c5, c + 5 * ldc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Vector256<float> v, float* c) => Vector256.Store(Vector256.Load(c) + v, c);
}
