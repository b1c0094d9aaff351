using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>12×32 tile in 24 zmm accumulators: per k step two B loads and twelve A broadcasts feed 24 FMAs.</summary>
internal readonly unsafe struct GemmMicroKernel512 : IGemmMicroKernel
{
    public static int MR => 12;
    public static int NR => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, nint aStep, float* b, float* c, nint ldc, bool add)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
        Vector512<float> c8_0 = default; Vector512<float> c8_1 = default;
        Vector512<float> c9_0 = default; Vector512<float> c9_1 = default;
        Vector512<float> c10_0 = default; Vector512<float> c10_1 = default;
        Vector512<float> c11_0 = default; Vector512<float> c11_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b + 0);
            var b1 = Vector512.LoadAligned(b + 16);
            var a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(a[8]);
            c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(a[9]);
            c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(a[10]);
            c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(a[11]);
            c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            a += aStep;
            b += 32;
        }
        if (add)
        {
            Add(c0_0, c + 0 * ldc + 0);
            Add(c0_1, c + 0 * ldc + 16);
            Add(c1_0, c + 1 * ldc + 0);
            Add(c1_1, c + 1 * ldc + 16);
            Add(c2_0, c + 2 * ldc + 0);
            Add(c2_1, c + 2 * ldc + 16);
            Add(c3_0, c + 3 * ldc + 0);
            Add(c3_1, c + 3 * ldc + 16);
            Add(c4_0, c + 4 * ldc + 0);
            Add(c4_1, c + 4 * ldc + 16);
            Add(c5_0, c + 5 * ldc + 0);
            Add(c5_1, c + 5 * ldc + 16);
            Add(c6_0, c + 6 * ldc + 0);
            Add(c6_1, c + 6 * ldc + 16);
            Add(c7_0, c + 7 * ldc + 0);
            Add(c7_1, c + 7 * ldc + 16);
            Add(c8_0, c + 8 * ldc + 0);
            Add(c8_1, c + 8 * ldc + 16);
            Add(c9_0, c + 9 * ldc + 0);
            Add(c9_1, c + 9 * ldc + 16);
            Add(c10_0, c + 10 * ldc + 0);
            Add(c10_1, c + 10 * ldc + 16);
            Add(c11_0, c + 11 * ldc + 0);
            Add(c11_1, c + 11 * ldc + 16);
        }
        else
        {
            Vector512.Store(c0_0, c + 0 * ldc + 0);
            Vector512.Store(c0_1, c + 0 * ldc + 16);
            Vector512.Store(c1_0, c + 1 * ldc + 0);
            Vector512.Store(c1_1, c + 1 * ldc + 16);
            Vector512.Store(c2_0, c + 2 * ldc + 0);
            Vector512.Store(c2_1, c + 2 * ldc + 16);
            Vector512.Store(c3_0, c + 3 * ldc + 0);
            Vector512.Store(c3_1, c + 3 * ldc + 16);
            Vector512.Store(c4_0, c + 4 * ldc + 0);
            Vector512.Store(c4_1, c + 4 * ldc + 16);
            Vector512.Store(c5_0, c + 5 * ldc + 0);
            Vector512.Store(c5_1, c + 5 * ldc + 16);
            Vector512.Store(c6_0, c + 6 * ldc + 0);
            Vector512.Store(c6_1, c + 6 * ldc + 16);
            Vector512.Store(c7_0, c + 7 * ldc + 0);
            Vector512.Store(c7_1, c + 7 * ldc + 16);
            Vector512.Store(c8_0, c + 8 * ldc + 0);
            Vector512.Store(c8_1, c + 8 * ldc + 16);
            Vector512.Store(c9_0, c + 9 * ldc + 0);
            Vector512.Store(c9_1, c + 9 * ldc + 16);
            Vector512.Store(c10_0, c + 10 * ldc + 0);
            Vector512.Store(c10_1, c + 10 * ldc + 16);
            Vector512.Store(c11_0, c + 11 * ldc + 0);
            Vector512.Store(c11_1, c + 11 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Vector512<float> v, float* c) => Vector512.Store(Vector512.Load(c) + v, c);
}
