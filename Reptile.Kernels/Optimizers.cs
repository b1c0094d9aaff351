using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>In-place parameter updates.</summary>
public static class Optimizers
{
    /// <summary>w −= lr·g.</summary>
    public static void Sgd(Span<float> w, ReadOnlySpan<float> g, float lr)
    {
        Guard.SameLength(w.Length, g.Length, nameof(g), "w");
        ElementwiseLoop.Apply(new MultiplyAddOperator(-lr), w, g, w);
    }

    /// <summary>w *= factor.</summary>
    public static void Scale(Span<float> w, float factor) =>
        ElementwiseLoop.Apply(new MultiplyScalarOperator(factor), w, w);

    /// <summary>
    /// One fused pass of TensorFlow's AdamOptimizer: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
    /// w −= stepSize·m/(√v + ε), the caller folding the bias corrections into stepSize. With β1 = 0 (supervised-reptile's
    /// setting) m would just be g: m is then neither read nor written, which saves a quarter of the pass's traffic and
    /// gives the same w and v bits.
    /// </summary>
    public static void Adam(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float beta1, float beta2, float stepSize, float epsilon)
    {
        Guard.SameLength(w.Length, g.Length, nameof(g), "w");
        Guard.SameLength(w.Length, m.Length, nameof(m), "w");
        Guard.SameLength(w.Length, v.Length, nameof(v), "w");
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pm = ref MemoryMarshal.GetReference(m);
        ref float pv = ref MemoryMarshal.GetReference(v);
        nuint n = (nuint)w.Length, i = 0;
        // Without momentum, m's place in Step is taken by g: fma(0, g, 1·g) = g, exactly the m it would have computed.
        bool momentum = beta1 != 0f;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            var p = new AdamParams512(beta1, beta2, stepSize, epsilon);
            // The ragged end is computed first from the untouched state, stored last (see ElementwiseLoop).
            nuint last = n - 16;
            var (lw, lm, lv) = p.Step(Vector512.LoadUnsafe(ref pw, last), Vector512.LoadUnsafe(ref pg, last),
                momentum ? Vector512.LoadUnsafe(ref pm, last) : Vector512.LoadUnsafe(ref pg, last), Vector512.LoadUnsafe(ref pv, last));
            for (; i + 16 <= n; i += 16)
            {
                var (nw, nm, nv) = p.Step(Vector512.LoadUnsafe(ref pw, i), Vector512.LoadUnsafe(ref pg, i),
                    momentum ? Vector512.LoadUnsafe(ref pm, i) : Vector512.LoadUnsafe(ref pg, i), Vector512.LoadUnsafe(ref pv, i));
                nw.StoreUnsafe(ref pw, i); if (momentum) nm.StoreUnsafe(ref pm, i); nv.StoreUnsafe(ref pv, i);
            }
            lw.StoreUnsafe(ref pw, last); if (momentum) lm.StoreUnsafe(ref pm, last); lv.StoreUnsafe(ref pv, last);
            return;
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            var p = new AdamParams256(beta1, beta2, stepSize, epsilon);
            nuint last = n - 8;
            var (lw, lm, lv) = p.Step(Vector256.LoadUnsafe(ref pw, last), Vector256.LoadUnsafe(ref pg, last),
                momentum ? Vector256.LoadUnsafe(ref pm, last) : Vector256.LoadUnsafe(ref pg, last), Vector256.LoadUnsafe(ref pv, last));
            for (; i + 8 <= n; i += 8)
            {
                var (nw, nm, nv) = p.Step(Vector256.LoadUnsafe(ref pw, i), Vector256.LoadUnsafe(ref pg, i),
                    momentum ? Vector256.LoadUnsafe(ref pm, i) : Vector256.LoadUnsafe(ref pg, i), Vector256.LoadUnsafe(ref pv, i));
                nw.StoreUnsafe(ref pw, i); if (momentum) nm.StoreUnsafe(ref pm, i); nv.StoreUnsafe(ref pv, i);
            }
            lw.StoreUnsafe(ref pw, last); if (momentum) lm.StoreUnsafe(ref pm, last); lv.StoreUnsafe(ref pv, last);
            return;
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            var p = new AdamParams128(beta1, beta2, stepSize, epsilon);
            nuint last = n - 4;
            var (lw, lm, lv) = p.Step(Vector128.LoadUnsafe(ref pw, last), Vector128.LoadUnsafe(ref pg, last),
                momentum ? Vector128.LoadUnsafe(ref pm, last) : Vector128.LoadUnsafe(ref pg, last), Vector128.LoadUnsafe(ref pv, last));
            for (; i + 4 <= n; i += 4)
            {
                var (nw, nm, nv) = p.Step(Vector128.LoadUnsafe(ref pw, i), Vector128.LoadUnsafe(ref pg, i),
                    momentum ? Vector128.LoadUnsafe(ref pm, i) : Vector128.LoadUnsafe(ref pg, i), Vector128.LoadUnsafe(ref pv, i));
                nw.StoreUnsafe(ref pw, i); if (momentum) nm.StoreUnsafe(ref pm, i); nv.StoreUnsafe(ref pv, i);
            }
            lw.StoreUnsafe(ref pw, last); if (momentum) lm.StoreUnsafe(ref pm, last); lv.StoreUnsafe(ref pv, last);
            return;
        }
        float c1 = 1f - beta1, c2 = 1f - beta2;
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref pg, i);
            float mi = MathF.FusedMultiplyAdd(beta1, momentum ? Unsafe.Add(ref pm, i) : gi, c1 * gi);
            float vi = MathF.FusedMultiplyAdd(beta2, Unsafe.Add(ref pv, i), c2 * gi * gi);
            if (momentum) Unsafe.Add(ref pm, i) = mi;
            Unsafe.Add(ref pv, i) = vi;
            Unsafe.Add(ref pw, i) -= stepSize * mi / (MathF.Sqrt(vi) + epsilon);
        }
    }

    private readonly struct AdamParams512(float beta1, float beta2, float stepSize, float epsilon)
    {
        private readonly Vector512<float> b1 = Vector512.Create(beta1), c1 = Vector512.Create(1f - beta1),
            b2 = Vector512.Create(beta2), c2 = Vector512.Create(1f - beta2),
            step = Vector512.Create(stepSize), eps = Vector512.Create(epsilon);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector512<float> W, Vector512<float> M, Vector512<float> V) Step(
            Vector512<float> w, Vector512<float> g, Vector512<float> m, Vector512<float> v)
        {
            m = Vector512.FusedMultiplyAdd(b1, m, c1 * g);
            v = Vector512.FusedMultiplyAdd(b2, v, c2 * g * g);
            w -= step * m / (Vector512.Sqrt(v) + eps);
            return (w, m, v);
        }
    }

    private readonly struct AdamParams256(float beta1, float beta2, float stepSize, float epsilon)
    {
        private readonly Vector256<float> b1 = Vector256.Create(beta1), c1 = Vector256.Create(1f - beta1),
            b2 = Vector256.Create(beta2), c2 = Vector256.Create(1f - beta2),
            step = Vector256.Create(stepSize), eps = Vector256.Create(epsilon);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector256<float> W, Vector256<float> M, Vector256<float> V) Step(
            Vector256<float> w, Vector256<float> g, Vector256<float> m, Vector256<float> v)
        {
            m = Vector256.FusedMultiplyAdd(b1, m, c1 * g);
            v = Vector256.FusedMultiplyAdd(b2, v, c2 * g * g);
            w -= step * m / (Vector256.Sqrt(v) + eps);
            return (w, m, v);
        }
    }

    private readonly struct AdamParams128(float beta1, float beta2, float stepSize, float epsilon)
    {
        private readonly Vector128<float> b1 = Vector128.Create(beta1), c1 = Vector128.Create(1f - beta1),
            b2 = Vector128.Create(beta2), c2 = Vector128.Create(1f - beta2),
            step = Vector128.Create(stepSize), eps = Vector128.Create(epsilon);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector128<float> W, Vector128<float> M, Vector128<float> V) Step(
            Vector128<float> w, Vector128<float> g, Vector128<float> m, Vector128<float> v)
        {
            m = Vector128.FusedMultiplyAdd(b1, m, c1 * g);
            v = Vector128.FusedMultiplyAdd(b2, v, c2 * g * g);
            w -= step * m / (Vector128.Sqrt(v) + eps);
            return (w, m, v);
        }
    }
}
