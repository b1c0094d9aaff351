using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>Reptile's outer update: move φ a fraction ε of the way towards the task weights.</summary>
public static class MetaUpdate
{
    /// <summary>φ ← φ + ε·(W − φ).</summary>
    public static void Interpolate(Span<float> phi, ReadOnlySpan<float> w, float epsilon)
    {
        Guard.SameLength(phi.Length, w.Length, nameof(w), "phi");
        ElementwiseLoop.Apply(new InterpolateOperator(epsilon, 1f), phi, w, phi);
    }

    /// <summary>
    /// φ ← φ + ε·(mean_i W_i − φ) in one pass: each chunk of φ is read once, the W_i summed into
    /// registers and φ written once, with no temporary of φ's length. Returns whether every new value of φ is
    /// finite: the trainer's divergence check, folded into the pass that writes φ (a product with 0 is 0 for a
    /// finite value and NaN otherwise, so one accumulator tells).
    /// </summary>
    public static bool Interpolate(Span<float> phi, ReadOnlySpan<float[]> weights, float epsilon)
    {
        if (weights.Length == 0) throw new ArgumentException("At least one weight vector is needed.", nameof(weights));
        for (int k = 0; k < weights.Length; k++)
        {
            if (weights[k] is null) throw new ArgumentNullException(nameof(weights), $"weights[{k}] is null.");
            if (weights[k].Length != phi.Length)
                throw new ArgumentException($"weights[{k}] has length {weights[k].Length}, expected {phi.Length} (phi).", nameof(weights));
        }
        var op = new InterpolateOperator(epsilon, 1f / weights.Length);
        ref float pp = ref MemoryMarshal.GetReference(phi);
        nuint n = (nuint)phi.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            nuint last = n - 16;
            var end = op.Invoke(Vector512.LoadUnsafe(ref pp, last), Sum512(weights, last));
            var check = end * Vector512<float>.Zero;
            // 64 floats per weight per step, so fetching each W_i's address is amortised over 4 vectors.
            for (; i + 64 <= n; i += 64)
            {
                ref float w0 = ref MemoryMarshal.GetArrayDataReference(weights[0]);
                var s0 = Vector512.LoadUnsafe(ref w0, i);
                var s1 = Vector512.LoadUnsafe(ref w0, i + 16);
                var s2 = Vector512.LoadUnsafe(ref w0, i + 32);
                var s3 = Vector512.LoadUnsafe(ref w0, i + 48);
                for (int k = 1; k < weights.Length; k++)
                {
                    ref float wk = ref MemoryMarshal.GetArrayDataReference(weights[k]);
                    s0 += Vector512.LoadUnsafe(ref wk, i);
                    s1 += Vector512.LoadUnsafe(ref wk, i + 16);
                    s2 += Vector512.LoadUnsafe(ref wk, i + 32);
                    s3 += Vector512.LoadUnsafe(ref wk, i + 48);
                }
                var r0 = op.Invoke(Vector512.LoadUnsafe(ref pp, i), s0);
                var r1 = op.Invoke(Vector512.LoadUnsafe(ref pp, i + 16), s1);
                var r2 = op.Invoke(Vector512.LoadUnsafe(ref pp, i + 32), s2);
                var r3 = op.Invoke(Vector512.LoadUnsafe(ref pp, i + 48), s3);
                r0.StoreUnsafe(ref pp, i);
                r1.StoreUnsafe(ref pp, i + 16);
                r2.StoreUnsafe(ref pp, i + 32);
                r3.StoreUnsafe(ref pp, i + 48);
                check += (r0 + r1 + r2 + r3) * Vector512<float>.Zero;
            }
            for (; i + 16 <= n; i += 16)
            {
                var r = op.Invoke(Vector512.LoadUnsafe(ref pp, i), Sum512(weights, i));
                r.StoreUnsafe(ref pp, i);
                check += r * Vector512<float>.Zero;
            }
            end.StoreUnsafe(ref pp, last);
            return check == Vector512<float>.Zero;
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            nuint last = n - 8;
            var end = op.Invoke(Vector256.LoadUnsafe(ref pp, last), Sum256(weights, last));
            var check = end * Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                var r = op.Invoke(Vector256.LoadUnsafe(ref pp, i), Sum256(weights, i));
                r.StoreUnsafe(ref pp, i);
                check += r * Vector256<float>.Zero;
            }
            end.StoreUnsafe(ref pp, last);
            return check == Vector256<float>.Zero;
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            nuint last = n - 4;
            var end = op.Invoke(Vector128.LoadUnsafe(ref pp, last), Sum128(weights, last));
            var check = end * Vector128<float>.Zero;
            for (; i + 4 <= n; i += 4)
            {
                var r = op.Invoke(Vector128.LoadUnsafe(ref pp, i), Sum128(weights, i));
                r.StoreUnsafe(ref pp, i);
                check += r * Vector128<float>.Zero;
            }
            end.StoreUnsafe(ref pp, last);
            return check == Vector128<float>.Zero;
        }
        float checkScalar = 0;
        for (; i < n; i++)
        {
            float s = 0;
            for (int k = 0; k < weights.Length; k++) s += weights[k][i];
            float r = op.Invoke(Unsafe.Add(ref pp, i), s);
            Unsafe.Add(ref pp, i) = r;
            checkScalar += r * 0f;
        }
        return checkScalar == 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sum512(ReadOnlySpan<float[]> weights, nuint i)
    {
        var s = Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(weights[0]), i);
        for (int k = 1; k < weights.Length; k++)
            s += Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(weights[k]), i);
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sum256(ReadOnlySpan<float[]> weights, nuint i)
    {
        var s = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(weights[0]), i);
        for (int k = 1; k < weights.Length; k++)
            s += Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(weights[k]), i);
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum128(ReadOnlySpan<float[]> weights, nuint i)
    {
        var s = Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(weights[0]), i);
        for (int k = 1; k < weights.Length; k++)
            s += Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(weights[k]), i);
        return s;
    }
}

/// <summary>
/// (φ, Σ) ↦ (1−ε)·φ + (ε/count)·Σ, which is φ + ε·(mean − φ) and lands exactly on φ at ε = 0 and
/// on the mean at ε = 1 (for a power-of-two count).
/// </summary>
internal readonly struct InterpolateOperator(float epsilon, float invCount) : IBinaryOperator
{
    private readonly float keep = 1f - epsilon, take = epsilon * invCount;

    public float Invoke(float phi, float sum) => MathF.FusedMultiplyAdd(take, sum, keep * phi);
    public Vector128<float> Invoke(Vector128<float> phi, Vector128<float> sum) =>
        Vector128.FusedMultiplyAdd(Vector128.Create(take), sum, Vector128.Create(keep) * phi);
    public Vector256<float> Invoke(Vector256<float> phi, Vector256<float> sum) =>
        Vector256.FusedMultiplyAdd(Vector256.Create(take), sum, Vector256.Create(keep) * phi);
    public Vector512<float> Invoke(Vector512<float> phi, Vector512<float> sum) =>
        Vector512.FusedMultiplyAdd(Vector512.Create(take), sum, Vector512.Create(keep) * phi);
}
