using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reptile.Kernels;

/// <summary>1/q for vectors of normal, positive-or-negative q away from 0 and ∞: the hardware estimate plus one
/// Newton step (about 23 correct bits), much cheaper than a full-precision division.</summary>
internal static class Reciprocal
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> q)
    {
        if (!Avx512F.IsSupported) return Vector512<float>.One / q;
        var r = Avx512F.Reciprocal14(q);
        return r * Vector512.FusedMultiplyAdd(-q, r, Vector512.Create(2f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> q)
    {
        if (!Avx.IsSupported) return Vector256<float>.One / q;
        var r = Avx.Reciprocal(q);
        r *= Vector256.FusedMultiplyAdd(-q, r, Vector256.Create(2f));
        return r * Vector256.FusedMultiplyAdd(-q, r, Vector256.Create(2f));
    }

    /// <summary>A true division on 128-bit vectors: the estimates differ by architecture (12 bits on SSE, 8 on NEON), an
    /// exactly rounded quotient does not, so this path computes the same bits on x64, where it is tested, as on ARM64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> q) => Vector128<float>.One / q;
}
