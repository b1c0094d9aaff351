using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>
/// Reductions Σ op(x[i]) / Σ op(x[i], y[i]) and max, on the path <see cref="Simd.Current"/> picks.
/// Four independent accumulators (so 64 float lanes on Vector512) keep the adds pipelined and act as
/// a shallow pairwise sum; the ragged end is one masked vector, since an overlap would count twice.
/// </summary>
internal static class ReduceLoop
{
    public static float Sum<TOp>(TOp op, ReadOnlySpan<float> x) where TOp : struct, IUnaryOperator
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 64 <= n; i += 64)
            {
                a0 += op.Invoke(Vector512.LoadUnsafe(ref px, i));
                a1 += op.Invoke(Vector512.LoadUnsafe(ref px, i + 16));
                a2 += op.Invoke(Vector512.LoadUnsafe(ref px, i + 32));
                a3 += op.Invoke(Vector512.LoadUnsafe(ref px, i + 48));
            }
            for (; i + 16 <= n; i += 16)
                a0 += op.Invoke(Vector512.LoadUnsafe(ref px, i));
            if (i < n)
                a1 += op.Invoke(Vector512.LoadUnsafe(ref px, n - 16)) & TailMask512(n - i);
            return Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 32 <= n; i += 32)
            {
                a0 += op.Invoke(Vector256.LoadUnsafe(ref px, i));
                a1 += op.Invoke(Vector256.LoadUnsafe(ref px, i + 8));
                a2 += op.Invoke(Vector256.LoadUnsafe(ref px, i + 16));
                a3 += op.Invoke(Vector256.LoadUnsafe(ref px, i + 24));
            }
            for (; i + 8 <= n; i += 8)
                a0 += op.Invoke(Vector256.LoadUnsafe(ref px, i));
            if (i < n)
                a1 += op.Invoke(Vector256.LoadUnsafe(ref px, n - 8)) & TailMask256(n - i);
            return Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 16 <= n; i += 16)
            {
                a0 += op.Invoke(Vector128.LoadUnsafe(ref px, i));
                a1 += op.Invoke(Vector128.LoadUnsafe(ref px, i + 4));
                a2 += op.Invoke(Vector128.LoadUnsafe(ref px, i + 8));
                a3 += op.Invoke(Vector128.LoadUnsafe(ref px, i + 12));
            }
            for (; i + 4 <= n; i += 4)
                a0 += op.Invoke(Vector128.LoadUnsafe(ref px, i));
            if (i < n)
                a1 += op.Invoke(Vector128.LoadUnsafe(ref px, n - 4)) & TailMask128(n - i);
            return Vector128.Sum((a0 + a1) + (a2 + a3));
        }
        float s = 0;
        for (; i < n; i++) s += op.Invoke(Unsafe.Add(ref px, i));
        return s;
    }

    public static float Sum<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y) where TOp : struct, IBinaryOperator
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 64 <= n; i += 64)
            {
                a0 += op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i));
                a1 += op.Invoke(Vector512.LoadUnsafe(ref px, i + 16), Vector512.LoadUnsafe(ref py, i + 16));
                a2 += op.Invoke(Vector512.LoadUnsafe(ref px, i + 32), Vector512.LoadUnsafe(ref py, i + 32));
                a3 += op.Invoke(Vector512.LoadUnsafe(ref px, i + 48), Vector512.LoadUnsafe(ref py, i + 48));
            }
            for (; i + 16 <= n; i += 16)
                a0 += op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i));
            if (i < n)
                a1 += op.Invoke(Vector512.LoadUnsafe(ref px, n - 16), Vector512.LoadUnsafe(ref py, n - 16)) & TailMask512(n - i);
            return Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 32 <= n; i += 32)
            {
                a0 += op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i));
                a1 += op.Invoke(Vector256.LoadUnsafe(ref px, i + 8), Vector256.LoadUnsafe(ref py, i + 8));
                a2 += op.Invoke(Vector256.LoadUnsafe(ref px, i + 16), Vector256.LoadUnsafe(ref py, i + 16));
                a3 += op.Invoke(Vector256.LoadUnsafe(ref px, i + 24), Vector256.LoadUnsafe(ref py, i + 24));
            }
            for (; i + 8 <= n; i += 8)
                a0 += op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i));
            if (i < n)
                a1 += op.Invoke(Vector256.LoadUnsafe(ref px, n - 8), Vector256.LoadUnsafe(ref py, n - 8)) & TailMask256(n - i);
            return Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 16 <= n; i += 16)
            {
                a0 += op.Invoke(Vector128.LoadUnsafe(ref px, i), Vector128.LoadUnsafe(ref py, i));
                a1 += op.Invoke(Vector128.LoadUnsafe(ref px, i + 4), Vector128.LoadUnsafe(ref py, i + 4));
                a2 += op.Invoke(Vector128.LoadUnsafe(ref px, i + 8), Vector128.LoadUnsafe(ref py, i + 8));
                a3 += op.Invoke(Vector128.LoadUnsafe(ref px, i + 12), Vector128.LoadUnsafe(ref py, i + 12));
            }
            for (; i + 4 <= n; i += 4)
                a0 += op.Invoke(Vector128.LoadUnsafe(ref px, i), Vector128.LoadUnsafe(ref py, i));
            if (i < n)
                a1 += op.Invoke(Vector128.LoadUnsafe(ref px, n - 4), Vector128.LoadUnsafe(ref py, n - 4)) & TailMask128(n - i);
            return Vector128.Sum((a0 + a1) + (a2 + a3));
        }
        float s = 0;
        for (; i < n; i++) s += op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
        return s;
    }

    /// <summary>Largest element (−∞ for an empty span). Max is idempotent, so the end may overlap.</summary>
    public static float Max(ReadOnlySpan<float> x)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            var a0 = Vector512.LoadUnsafe(ref px, n - 16);
            var a1 = a0;
            for (; i + 32 <= n; i += 32)
            {
                a0 = Vector512.MaxNative(a0, Vector512.LoadUnsafe(ref px, i));
                a1 = Vector512.MaxNative(a1, Vector512.LoadUnsafe(ref px, i + 16));
            }
            if (i + 16 <= n) a0 = Vector512.MaxNative(a0, Vector512.LoadUnsafe(ref px, i));
            var m = Vector256.MaxNative(Vector512.MaxNative(a0, a1).GetLower(), Vector512.MaxNative(a0, a1).GetUpper());
            return HorizontalMax(m);
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            var a0 = Vector256.LoadUnsafe(ref px, n - 8);
            var a1 = a0;
            for (; i + 16 <= n; i += 16)
            {
                a0 = Vector256.MaxNative(a0, Vector256.LoadUnsafe(ref px, i));
                a1 = Vector256.MaxNative(a1, Vector256.LoadUnsafe(ref px, i + 8));
            }
            if (i + 8 <= n) a0 = Vector256.MaxNative(a0, Vector256.LoadUnsafe(ref px, i));
            return HorizontalMax(Vector256.MaxNative(a0, a1));
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            var a0 = Vector128.LoadUnsafe(ref px, n - 4);
            var a1 = a0;
            for (; i + 8 <= n; i += 8)
            {
                a0 = Vector128.MaxNative(a0, Vector128.LoadUnsafe(ref px, i));
                a1 = Vector128.MaxNative(a1, Vector128.LoadUnsafe(ref px, i + 4));
            }
            if (i + 4 <= n) a0 = Vector128.MaxNative(a0, Vector128.LoadUnsafe(ref px, i));
            return HorizontalMax(Vector128.MaxNative(a0, a1));
        }
        float s = float.NegativeInfinity;
        for (; i < n; i++) s = MathF.Max(s, Unsafe.Add(ref px, i));
        return s;
    }

    private static float HorizontalMax(Vector256<float> v) => HorizontalMax(Vector128.MaxNative(v.GetLower(), v.GetUpper()));

    private static float HorizontalMax(Vector128<float> m) => MathF.Max(MathF.Max(m[0], m[1]), MathF.Max(m[2], m[3]));

    /// <summary>Keeps the last <paramref name="count"/> lanes (the ones not yet summed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> TailMask512(nuint count) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(16 - (int)count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> TailMask256(nuint count) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(8 - (int)count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> TailMask128(nuint count) =>
        Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(4 - (int)count)).AsSingle();
}

/// <summary>x (so Sum&lt;Identity&gt; is a plain sum).</summary>
internal readonly struct IdentityOperator : IUnaryOperator
{
    public float Invoke(float x) => x;
    public Vector128<float> Invoke(Vector128<float> x) => x;
    public Vector256<float> Invoke(Vector256<float> x) => x;
    public Vector512<float> Invoke(Vector512<float> x) => x;
}
