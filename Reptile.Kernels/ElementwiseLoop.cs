using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>
/// The one loop every elementwise kernel runs: dst[i] = op(x[i], ...). It dispatches on
/// <see cref="Simd.Current"/>, unrolls the vector body and finishes a ragged end with one
/// overlapping last vector. That last vector is computed from the inputs BEFORE the body runs, so
/// dst may be the same span as an input (in-place and "+=" kernels) and the overlap is still
/// written once with the right value. Spans must be the same length (callers check) and each
/// input either is dst or does not overlap it.
/// </summary>
internal static class ElementwiseLoop
{
    public static void Apply<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> dst) where TOp : struct, IUnaryOperator
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        nuint n = (nuint)dst.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            nuint last = n - 16;
            var end = op.Invoke(Vector512.LoadUnsafe(ref px, last));
            for (; i + 64 <= n; i += 64)
            {
                var a = op.Invoke(Vector512.LoadUnsafe(ref px, i));
                var b = op.Invoke(Vector512.LoadUnsafe(ref px, i + 16));
                var c = op.Invoke(Vector512.LoadUnsafe(ref px, i + 32));
                var d = op.Invoke(Vector512.LoadUnsafe(ref px, i + 48));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 16);
                c.StoreUnsafe(ref pd, i + 32); d.StoreUnsafe(ref pd, i + 48);
            }
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            nuint last = n - 8;
            var end = op.Invoke(Vector256.LoadUnsafe(ref px, last));
            for (; i + 32 <= n; i += 32)
            {
                var a = op.Invoke(Vector256.LoadUnsafe(ref px, i));
                var b = op.Invoke(Vector256.LoadUnsafe(ref px, i + 8));
                var c = op.Invoke(Vector256.LoadUnsafe(ref px, i + 16));
                var d = op.Invoke(Vector256.LoadUnsafe(ref px, i + 24));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 8);
                c.StoreUnsafe(ref pd, i + 16); d.StoreUnsafe(ref pd, i + 24);
            }
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            nuint last = n - 4;
            var end = op.Invoke(Vector128.LoadUnsafe(ref px, last));
            for (; i + 16 <= n; i += 16)
            {
                var a = op.Invoke(Vector128.LoadUnsafe(ref px, i));
                var b = op.Invoke(Vector128.LoadUnsafe(ref px, i + 4));
                var c = op.Invoke(Vector128.LoadUnsafe(ref px, i + 8));
                var d = op.Invoke(Vector128.LoadUnsafe(ref px, i + 12));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 4);
                c.StoreUnsafe(ref pd, i + 8); d.StoreUnsafe(ref pd, i + 12);
            }
            for (; i + 4 <= n; i += 4)
                op.Invoke(Vector128.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i));
    }

    public static void Apply<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) where TOp : struct, IBinaryOperator
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        nuint n = (nuint)dst.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            nuint last = n - 16;
            var end = op.Invoke(Vector512.LoadUnsafe(ref px, last), Vector512.LoadUnsafe(ref py, last));
            for (; i + 64 <= n; i += 64)
            {
                var a = op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i));
                var b = op.Invoke(Vector512.LoadUnsafe(ref px, i + 16), Vector512.LoadUnsafe(ref py, i + 16));
                var c = op.Invoke(Vector512.LoadUnsafe(ref px, i + 32), Vector512.LoadUnsafe(ref py, i + 32));
                var d = op.Invoke(Vector512.LoadUnsafe(ref px, i + 48), Vector512.LoadUnsafe(ref py, i + 48));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 16);
                c.StoreUnsafe(ref pd, i + 32); d.StoreUnsafe(ref pd, i + 48);
            }
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            nuint last = n - 8;
            var end = op.Invoke(Vector256.LoadUnsafe(ref px, last), Vector256.LoadUnsafe(ref py, last));
            for (; i + 32 <= n; i += 32)
            {
                var a = op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i));
                var b = op.Invoke(Vector256.LoadUnsafe(ref px, i + 8), Vector256.LoadUnsafe(ref py, i + 8));
                var c = op.Invoke(Vector256.LoadUnsafe(ref px, i + 16), Vector256.LoadUnsafe(ref py, i + 16));
                var d = op.Invoke(Vector256.LoadUnsafe(ref px, i + 24), Vector256.LoadUnsafe(ref py, i + 24));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 8);
                c.StoreUnsafe(ref pd, i + 16); d.StoreUnsafe(ref pd, i + 24);
            }
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            nuint last = n - 4;
            var end = op.Invoke(Vector128.LoadUnsafe(ref px, last), Vector128.LoadUnsafe(ref py, last));
            for (; i + 16 <= n; i += 16)
            {
                var a = op.Invoke(Vector128.LoadUnsafe(ref px, i), Vector128.LoadUnsafe(ref py, i));
                var b = op.Invoke(Vector128.LoadUnsafe(ref px, i + 4), Vector128.LoadUnsafe(ref py, i + 4));
                var c = op.Invoke(Vector128.LoadUnsafe(ref px, i + 8), Vector128.LoadUnsafe(ref py, i + 8));
                var d = op.Invoke(Vector128.LoadUnsafe(ref px, i + 12), Vector128.LoadUnsafe(ref py, i + 12));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 4);
                c.StoreUnsafe(ref pd, i + 8); d.StoreUnsafe(ref pd, i + 12);
            }
            for (; i + 4 <= n; i += 4)
                op.Invoke(Vector128.LoadUnsafe(ref px, i), Vector128.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
    }

    public static void Apply<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> dst) where TOp : struct, ITernaryOperator
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pz = ref MemoryMarshal.GetReference(z);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        nuint n = (nuint)dst.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            nuint last = n - 16;
            var end = op.Invoke(Vector512.LoadUnsafe(ref px, last), Vector512.LoadUnsafe(ref py, last), Vector512.LoadUnsafe(ref pz, last));
            for (; i + 32 <= n; i += 32)
            {
                var a = op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), Vector512.LoadUnsafe(ref pz, i));
                var b = op.Invoke(Vector512.LoadUnsafe(ref px, i + 16), Vector512.LoadUnsafe(ref py, i + 16), Vector512.LoadUnsafe(ref pz, i + 16));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 16);
            }
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), Vector512.LoadUnsafe(ref pz, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            nuint last = n - 8;
            var end = op.Invoke(Vector256.LoadUnsafe(ref px, last), Vector256.LoadUnsafe(ref py, last), Vector256.LoadUnsafe(ref pz, last));
            for (; i + 16 <= n; i += 16)
            {
                var a = op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), Vector256.LoadUnsafe(ref pz, i));
                var b = op.Invoke(Vector256.LoadUnsafe(ref px, i + 8), Vector256.LoadUnsafe(ref py, i + 8), Vector256.LoadUnsafe(ref pz, i + 8));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 8);
            }
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), Vector256.LoadUnsafe(ref pz, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            nuint last = n - 4;
            var end = op.Invoke(Vector128.LoadUnsafe(ref px, last), Vector128.LoadUnsafe(ref py, last), Vector128.LoadUnsafe(ref pz, last));
            for (; i + 8 <= n; i += 8)
            {
                var a = op.Invoke(Vector128.LoadUnsafe(ref px, i), Vector128.LoadUnsafe(ref py, i), Vector128.LoadUnsafe(ref pz, i));
                var b = op.Invoke(Vector128.LoadUnsafe(ref px, i + 4), Vector128.LoadUnsafe(ref py, i + 4), Vector128.LoadUnsafe(ref pz, i + 4));
                a.StoreUnsafe(ref pd, i); b.StoreUnsafe(ref pd, i + 4);
            }
            for (; i + 4 <= n; i += 4)
                op.Invoke(Vector128.LoadUnsafe(ref px, i), Vector128.LoadUnsafe(ref py, i), Vector128.LoadUnsafe(ref pz, i)).StoreUnsafe(ref pd, i);
            end.StoreUnsafe(ref pd, last);
            return;
        }
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), Unsafe.Add(ref pz, i));
    }
}
