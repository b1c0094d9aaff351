using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>
/// 8×8 tile in 16 128-bit accumulators, the 128-bit path's kernel and so the ARM64 one. Sized for NEON's 32 registers:
/// 16 accumulators are what 4 FMA pipes of 4-cycle latency (Apple M1/M2, Neoverse V1/V2) need in flight, leaving 16
/// registers for the 2 B vectors and 8 A broadcasts of a k step; 8 rows also fit the 64-row convolution shapes exactly.
/// On x64 the tiles tried (6×8, 8×8, 4×16, 6×16) all ran at the 128-bit FMA ceiling, so ARM64 decided. The k loop
/// needs 19 registers: no spill with AVX-512's 32 xmm registers; x64 takes this path only when forced or when
/// Vector256 is not accelerated, and with only 16 xmm registers there some accumulators would spill.
/// </summary>
internal readonly unsafe struct GemmMicroKernel128 : IGemmMicroKernel
{
    public static int MR => 8;
    public static int NR => 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add)
    {
        Vector128<float> c0_0 = default; Vector128<float> c0_1 = default;
        Vector128<float> c1_0 = default; Vector128<float> c1_1 = default;
        Vector128<float> c2_0 = default; Vector128<float> c2_1 = default;
        Vector128<float> c3_0 = default; Vector128<float> c3_1 = default;
        Vector128<float> c4_0 = default; Vector128<float> c4_1 = default;
        Vector128<float> c5_0 = default; Vector128<float> c5_1 = default;
        Vector128<float> c6_0 = default; Vector128<float> c6_1 = default;
        Vector128<float> c7_0 = default; Vector128<float> c7_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadAligned(b + 0);
            var b1 = Vector128.LoadAligned(b + 4);
            var a0 = Vector128.Create(a[0]);
            c0_0 = Vector128.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector128.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector128.Create(a[1]);
            c1_0 = Vector128.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector128.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector128.Create(a[2]);
            c2_0 = Vector128.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector128.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector128.Create(a[3]);
            c3_0 = Vector128.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector128.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector128.Create(a[4]);
            c4_0 = Vector128.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector128.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector128.Create(a[5]);
            c5_0 = Vector128.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector128.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector128.Create(a[6]);
            c6_0 = Vector128.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector128.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector128.Create(a[7]);
            c7_0 = Vector128.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector128.FusedMultiplyAdd(a7, b1, c7_1);
            a += aStep;
            b += 8;
        }
        if (add)
        {
            Add(c0_0, c + 0 * ldc + 0);
            Add(c0_1, c + 0 * ldc + 4);
            Add(c1_0, c + 1 * ldc + 0);
            Add(c1_1, c + 1 * ldc + 4);
            Add(c2_0, c + 2 * ldc + 0);
            Add(c2_1, c + 2 * ldc + 4);
            Add(c3_0, c + 3 * ldc + 0);
            Add(c3_1, c + 3 * ldc + 4);
            Add(c4_0, c + 4 * ldc + 0);
            Add(c4_1, c + 4 * ldc + 4);
            Add(c5_0, c + 5 * ldc + 0);
            Add(c5_1, c + 5 * ldc + 4);
            Add(c6_0, c + 6 * ldc + 0);
            Add(c6_1, c + 6 * ldc + 4);
            Add(c7_0, c + 7 * ldc + 0);
            Add(c7_1, c + 7 * ldc + 4);
        }
        else
        {
            Vector128.Store(c0_0, c + 0 * ldc + 0);
            Vector128.Store(c0_1, c + 0 * ldc + 4);
            Vector128.Store(c1_0, c + 1 * ldc + 0);
            Vector128.Store(c1_1, c + 1 * ldc + 4);
            Vector128.Store(c2_0, c + 2 * ldc + 0);
            Vector128.Store(c2_1, c + 2 * ldc + 4);
            Vector128.Store(c3_0, c + 3 * ldc + 0);
            Vector128.Store(c3_1, c + 3 * ldc + 4);
            Vector128.Store(c4_0, c + 4 * ldc + 0);
            Vector128.Store(c4_1, c + 4 * ldc + 4);
            Vector128.Store(c5_0, c + 5 * ldc + 0);
            Vector128.Store(c5_1, c + 5 * ldc + 4);
            Vector128.Store(c6_0, c + 6 * ldc + 0);
            Vector128.Store(c6_1, c + 6 * ldc + 4);
            Vector128.Store(c7_0, c + 7 * ldc + 0);
            Vector128.Store(c7_1, c + 7 * ldc + 4);
        }
    }

    /// <summary>Columns 0..3 only, for a ragged last panel with at most 4 valid columns (B still packed 8 wide).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunHalf(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add)
    {
        Vector128<float> c0_0 = default;
        Vector128<float> c1_0 = default;
        Vector128<float> c2_0 = default;
        Vector128<float> c3_0 = default;
        Vector128<float> c4_0 = default;
        Vector128<float> c5_0 = default;
        Vector128<float> c6_0 = default;
        Vector128<float> c7_0 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadAligned(b + 0);
            var a0 = Vector128.Create(a[0]);
            c0_0 = Vector128.FusedMultiplyAdd(a0, b0, c0_0);
            var a1 = Vector128.Create(a[1]);
            c1_0 = Vector128.FusedMultiplyAdd(a1, b0, c1_0);
            var a2 = Vector128.Create(a[2]);
            c2_0 = Vector128.FusedMultiplyAdd(a2, b0, c2_0);
            var a3 = Vector128.Create(a[3]);
            c3_0 = Vector128.FusedMultiplyAdd(a3, b0, c3_0);
            var a4 = Vector128.Create(a[4]);
            c4_0 = Vector128.FusedMultiplyAdd(a4, b0, c4_0);
            var a5 = Vector128.Create(a[5]);
            c5_0 = Vector128.FusedMultiplyAdd(a5, b0, c5_0);
            var a6 = Vector128.Create(a[6]);
            c6_0 = Vector128.FusedMultiplyAdd(a6, b0, c6_0);
            var a7 = Vector128.Create(a[7]);
            c7_0 = Vector128.FusedMultiplyAdd(a7, b0, c7_0);
            a += aStep;
            b += 8;
        }
        if (add)
        {
            Add(c0_0, c + 0 * ldc + 0);
            Add(c1_0, c + 1 * ldc + 0);
            Add(c2_0, c + 2 * ldc + 0);
            Add(c3_0, c + 3 * ldc + 0);
            Add(c4_0, c + 4 * ldc + 0);
            Add(c5_0, c + 5 * ldc + 0);
            Add(c6_0, c + 6 * ldc + 0);
            Add(c7_0, c + 7 * ldc + 0);
        }
        else
        {
            Vector128.Store(c0_0, c + 0 * ldc + 0);
            Vector128.Store(c1_0, c + 1 * ldc + 0);
            Vector128.Store(c2_0, c + 2 * ldc + 0);
            Vector128.Store(c3_0, c + 3 * ldc + 0);
            Vector128.Store(c4_0, c + 4 * ldc + 0);
            Vector128.Store(c5_0, c + 5 * ldc + 0);
            Vector128.Store(c6_0, c + 6 * ldc + 0);
            Vector128.Store(c7_0, c + 7 * ldc + 0);
        }
    }

    /// <summary>Columns 0..1 only, for a ragged last panel with at most 2 valid columns. Lanes 2..3 of B are not packed
    /// for such a panel: they are multiplied (FMAs do not trap) but never stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunQuarter(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add)
    {
        Vector128<float> c0 = default; Vector128<float> c1 = default; Vector128<float> c2 = default; Vector128<float> c3 = default; Vector128<float> c4 = default; Vector128<float> c5 = default; Vector128<float> c6 = default; Vector128<float> c7 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadAligned(b);
            c0 = Vector128.FusedMultiplyAdd(Vector128.Create(a[0]), b0, c0);
            c1 = Vector128.FusedMultiplyAdd(Vector128.Create(a[1]), b0, c1);
            c2 = Vector128.FusedMultiplyAdd(Vector128.Create(a[2]), b0, c2);
            c3 = Vector128.FusedMultiplyAdd(Vector128.Create(a[3]), b0, c3);
            c4 = Vector128.FusedMultiplyAdd(Vector128.Create(a[4]), b0, c4);
            c5 = Vector128.FusedMultiplyAdd(Vector128.Create(a[5]), b0, c5);
            c6 = Vector128.FusedMultiplyAdd(Vector128.Create(a[6]), b0, c6);
            c7 = Vector128.FusedMultiplyAdd(Vector128.Create(a[7]), b0, c7);
            a += aStep;
            b += 8;
        }
        StorePair(c0, c + 0 * ldc, add);
        StorePair(c1, c + 1 * ldc, add);
        StorePair(c2, c + 2 * ldc, add);
        StorePair(c3, c + 3 * ldc, add);
        StorePair(c4, c + 4 * ldc, add);
        StorePair(c5, c + 5 * ldc, add);
        StorePair(c6, c + 6 * ldc, add);
        StorePair(c7, c + 7 * ldc, add);
    }

    /// <summary>c[0..1] = v[0..1], or c[0..1] += v[0..1]: one 64-bit access, nothing past the pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair(Vector128<float> v, float* c, bool add)
    {
        if (add) v += Vector128.CreateScalarUnsafe(*(double*)c).AsSingle();
        *(double*)c = v.AsDouble().ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Vector128<float> v, float* c) => Vector128.Store(Vector128.Load(c) + v, c);
}
