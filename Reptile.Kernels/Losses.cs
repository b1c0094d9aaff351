using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>Loss values and their gradients; backward kernels accumulate into the gradient.</summary>
public static class Losses
{
    /// <summary>mean of (p − t)², accumulated in double. 0 for empty input.</summary>
    public static float MeanSquaredError(ReadOnlySpan<float> pred, ReadOnlySpan<float> target)
    {
        Guard.SameLength(pred.Length, target.Length, nameof(target), "pred");
        int n = pred.Length;
        if (n == 0) return 0f;
        ref float pp = ref MemoryMarshal.GetReference(pred);
        ref float pt = ref MemoryMarshal.GetReference(target);
        int i = 0;
        double sum = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            Vector512<double> a0 = default, a1 = default;
            for (; i + 16 <= n; i += 16)
            {
                var d = Vector512.LoadUnsafe(ref pp, (nuint)i) - Vector512.LoadUnsafe(ref pt, (nuint)i);
                var (lo, hi) = Vector512.Widen(d);
                a0 = Vector512.FusedMultiplyAdd(lo, lo, a0);
                a1 = Vector512.FusedMultiplyAdd(hi, hi, a1);
            }
            sum = Vector512.Sum(a0 + a1);
        }
        else if (path >= SimdPath.Vector256 && n >= 8)
        {
            Vector256<double> a0 = default, a1 = default;
            for (; i + 8 <= n; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref pp, (nuint)i) - Vector256.LoadUnsafe(ref pt, (nuint)i);
                var (lo, hi) = Vector256.Widen(d);
                a0 = Vector256.FusedMultiplyAdd(lo, lo, a0);
                a1 = Vector256.FusedMultiplyAdd(hi, hi, a1);
            }
            sum = Vector256.Sum(a0 + a1);
        }
        else if (path == SimdPath.Vector128 && n >= 4)
        {
            Vector128<double> a0 = default, a1 = default;
            for (; i + 4 <= n; i += 4)
            {
                var d = Vector128.LoadUnsafe(ref pp, (nuint)i) - Vector128.LoadUnsafe(ref pt, (nuint)i);
                var (lo, hi) = Vector128.Widen(d);
                a0 = Vector128.FusedMultiplyAdd(lo, lo, a0);
                a1 = Vector128.FusedMultiplyAdd(hi, hi, a1);
            }
            sum = Vector128.Sum(a0 + a1);
        }
        for (; i < n; i++)
        {
            double d = Unsafe.Add(ref pp, i) - Unsafe.Add(ref pt, i);
            sum += d * d;
        }
        return (float)(sum / n);
    }

    /// <summary>dpred += scale·2(p − t)/n.</summary>
    public static void MeanSquaredErrorBackward(ReadOnlySpan<float> pred, ReadOnlySpan<float> target, float scale, Span<float> dpred)
    {
        Guard.SameLength(pred.Length, target.Length, nameof(target), "pred");
        Guard.SameLength(pred.Length, dpred.Length, nameof(dpred), "pred");
        if (pred.Length == 0) return;
        ElementwiseLoop.Apply(new ScaledDifferenceAddOperator(2f * scale / pred.Length), pred, target, dpred, dpred);
    }

    /// <summary>
    /// Row-wise softmax of logits (rows = labels.Length) into probs; returns the mean over rows of
    /// −log softmax[label], computed as log Σ e^{x−max} − (x[label] − max) so huge logits cannot overflow.
    /// </summary>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, Span<float> probs)
    {
        CheckSoftmaxShapes(logits.Length, labels, classes, nameof(logits));
        Guard.SameLength(logits.Length, probs.Length, nameof(probs), "logits");
        int rows = labels.Length;
        if (rows == 0) return 0f;
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            var x = logits.Slice(r * classes, classes);
            var p = probs.Slice(r * classes, classes);
            float max = ReduceLoop.Max(x);
            double sum = ExpShiftedWithSum(x, max, p);
            ElementwiseLoop.Apply(new MultiplyScalarOperator((float)(1.0 / sum)), p, p);
            loss += Math.Log(sum) - ((double)x[labels[r]] - max);
        }
        return (float)(loss / rows);
    }

    /// <summary>dlogits += scale·(p − onehot(label))/rows.</summary>
    public static void SoftmaxCrossEntropyBackward(ReadOnlySpan<float> probs, ReadOnlySpan<int> labels, int classes, float scale, Span<float> dlogits)
    {
        CheckSoftmaxShapes(probs.Length, labels, classes, nameof(probs));
        Guard.SameLength(probs.Length, dlogits.Length, nameof(dlogits), "probs");
        int rows = labels.Length;
        if (rows == 0) return;
        float k = scale / rows;
        for (int r = 0; r < rows; r++)
        {
            var d = dlogits.Slice(r * classes, classes);
            ElementwiseLoop.Apply(new MultiplyAddOperator(k), d, probs.Slice(r * classes, classes), d);
            d[labels[r]] -= k;
        }
    }

    private static void CheckSoftmaxShapes(int length, ReadOnlySpan<int> labels, int classes, string name)
    {
        Guard.Positive(classes, nameof(classes));
        Guard.Product(length, labels.Length, "rows", classes, "classes", name);
        for (int r = 0; r < labels.Length; r++)
        {
            if ((uint)labels[r] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[r], $"Label at row {r} is {labels[r]}, outside [0, {classes}).");
        }
    }

    // Below this e^{x−max} is < 2e-35 of the row's largest term: flushing it to 0 keeps probabilities
    // out of the denormal range (slow on some CPUs) at no visible cost.
    private const float ExpFloor = -80f;

    /// <summary>
    /// p = e^{x − max} (0 below the floor); returns Σ p summed in double: the sum is 1 + (the other
    /// terms), and a float sum would round away the small loss of a confident, correct row.
    /// </summary>
    private static double ExpShiftedWithSum(ReadOnlySpan<float> x, float max, Span<float> p)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pp = ref MemoryMarshal.GetReference(p);
        nuint n = (nuint)x.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            var vmax = Vector512.Create(max);
            var floor = Vector512.Create(ExpFloor);
            Vector512<double> acc = default;
            for (; i + 16 <= n; i += 16)
            {
                var e = ShiftedExp(Vector512.LoadUnsafe(ref px, i) - vmax, floor);
                e.StoreUnsafe(ref pp, i);
                acc += WidenSum(e);
            }
            if (i < n)
            {
                var e = ShiftedExp(Vector512.LoadUnsafe(ref px, n - 16) - vmax, floor);
                e.StoreUnsafe(ref pp, n - 16);
                acc += WidenSum(e & ReduceLoop.TailMask512(n - i));
            }
            return Vector512.Sum(acc);
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            var vmax = Vector256.Create(max);
            var floor = Vector256.Create(ExpFloor);
            Vector256<double> acc = default;
            for (; i + 8 <= n; i += 8)
            {
                var e = ShiftedExp(Vector256.LoadUnsafe(ref px, i) - vmax, floor);
                e.StoreUnsafe(ref pp, i);
                acc += WidenSum(e);
            }
            if (i < n)
            {
                var e = ShiftedExp(Vector256.LoadUnsafe(ref px, n - 8) - vmax, floor);
                e.StoreUnsafe(ref pp, n - 8);
                acc += WidenSum(e & ReduceLoop.TailMask256(n - i));
            }
            return Vector256.Sum(acc);
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            var vmax = Vector128.Create(max);
            var floor = Vector128.Create(ExpFloor);
            Vector128<double> acc = default;
            for (; i + 4 <= n; i += 4)
            {
                var e = ShiftedExp(Vector128.LoadUnsafe(ref px, i) - vmax, floor);
                e.StoreUnsafe(ref pp, i);
                acc += WidenSum(e);
            }
            if (i < n)
            {
                var e = ShiftedExp(Vector128.LoadUnsafe(ref px, n - 4) - vmax, floor);
                e.StoreUnsafe(ref pp, n - 4);
                acc += WidenSum(e & ReduceLoop.TailMask128(n - i));
            }
            return Vector128.Sum(acc);
        }
        double sum = 0;
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref px, i) - max;
            float e = d < ExpFloor ? 0f : MathF.Exp(d);
            Unsafe.Add(ref pp, i) = e;
            sum += e;
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> WidenSum(Vector512<float> e) { var (lo, hi) = Vector512.Widen(e); return lo + hi; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> WidenSum(Vector256<float> e) { var (lo, hi) = Vector256.Widen(e); return lo + hi; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> WidenSum(Vector128<float> e) { var (lo, hi) = Vector128.Widen(e); return lo + hi; }

    // The vector Exp gives e^0 = 1.0000001 (1 ulp over): the row's largest term is set to exactly 1, else a
    // confident, correct row's loss (log of a sum ≈ 1) would be off by 1.2e-7, more than the loss itself at 1e-7.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ShiftedExp(Vector512<float> d, Vector512<float> floor) =>
        Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<float>.Zero), Vector512<float>.One,
            Vector512.Exp(Vector512.Max(d, floor)) & Vector512.GreaterThanOrEqual(d, floor));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ShiftedExp(Vector256<float> d, Vector256<float> floor) =>
        Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), Vector256<float>.One,
            Vector256.Exp(Vector256.Max(d, floor)) & Vector256.GreaterThanOrEqual(d, floor));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ShiftedExp(Vector128<float> d, Vector128<float> floor) =>
        Vector128.ConditionalSelect(Vector128.Equals(d, Vector128<float>.Zero), Vector128<float>.One,
            Vector128.Exp(Vector128.Max(d, floor)) & Vector128.GreaterThanOrEqual(d, floor));
}

/// <summary>(p, t, d) ↦ d + k·(p − t).</summary>
internal readonly struct ScaledDifferenceAddOperator(float k) : ITernaryOperator
{
    public float Invoke(float p, float t, float d) => MathF.FusedMultiplyAdd(k, p - t, d);
    public Vector128<float> Invoke(Vector128<float> p, Vector128<float> t, Vector128<float> d) =>
        Vector128.FusedMultiplyAdd(Vector128.Create(k), p - t, d);
    public Vector256<float> Invoke(Vector256<float> p, Vector256<float> t, Vector256<float> d) =>
        Vector256.FusedMultiplyAdd(Vector256.Create(k), p - t, d);
    public Vector512<float> Invoke(Vector512<float> p, Vector512<float> t, Vector512<float> d) =>
        Vector512.FusedMultiplyAdd(Vector512.Create(k), p - t, d);
}
