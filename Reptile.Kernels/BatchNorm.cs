using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>
/// Batch normalisation over channel-major data: channel c is the contiguous block
/// x[c·plane .. (c+1)·plane), plane = batch·H·W.
/// </summary>
public static class BatchNorm
{
    /// <summary>
    /// Training mode: batch mean and biased variance per channel (two passes, so no cancellation),
    /// invStd = 1/√(var+ε), xhat = (x−mean)·invStd, y = γ·xhat + β, or max(γ·xhat + β, 0) with
    /// <paramref name="relu"/> (a following relu fused into the same pass, exactly as the relu computes it).
    /// xhat is not stored: <see cref="Backward"/> recomputes it from x, mean and invStd with the same operations.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, int channels, int plane, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        float epsilon, Span<float> y, Span<float> mean, Span<float> invStd, bool relu = false)
    {
        CheckShapes(x.Length, channels, plane, nameof(x));
        Guard.SameLength(x.Length, y.Length, nameof(y), "x");
        Guard.SameLength(channels, gamma.Length, nameof(gamma), "channels");
        Guard.SameLength(channels, beta.Length, nameof(beta), "channels");
        Guard.SameLength(channels, mean.Length, nameof(mean), "channels");
        Guard.SameLength(channels, invStd.Length, nameof(invStd), "channels");
        for (int c = 0; c < channels; c++)
        {
            var xc = x.Slice(c * plane, plane);
            float mu = 0f;
            double var = 0;
            if (plane > 0)
            {
                // Corrected two-pass: the deviations from a first estimate of the mean fix both the
                // mean's rounding and the variance (Chan, Golub & LeVeque).
                float mu0 = ReduceLoop.Sum(default(IdentityOperator), xc) / plane;
                var (sd, sd2) = DeviationSums(xc, mu0);
                mu = (float)(mu0 + (double)sd / plane);
                var = Math.Max(0, ((double)sd2 - (double)sd * sd / plane) / plane);
            }
            float inv = (float)(1.0 / Math.Sqrt(var + epsilon));
            mean[c] = mu;
            invStd[c] = inv;
            if (relu) Normalize<ReluOperator>(xc, mu, inv, gamma[c], beta[c], y.Slice(c * plane, plane));
            else Normalize<IdentityOperator>(xc, mu, inv, gamma[c], beta[c], y.Slice(c * plane, plane));
        }
    }

    /// <summary>
    /// dgamma[c] += Σ dy·xhat; dbeta[c] += Σ dy; dx += γ·invStd/P·(P·dy − Σdy − xhat·Σ(dy·xhat)), with
    /// xhat = (x − mean)·invStd recomputed exactly as <see cref="Forward"/> computed it (reading x instead of a
    /// stored xhat costs the same, and the forward pass writes one stream less).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, ReadOnlySpan<float> dy,
        ReadOnlySpan<float> gamma, int channels, int plane, Span<float> dx, Span<float> dgamma, Span<float> dbeta)
    {
        CheckShapes(x.Length, channels, plane, nameof(x));
        Guard.SameLength(x.Length, dy.Length, nameof(dy), "x");
        Guard.SameLength(x.Length, dx.Length, nameof(dx), "x");
        Guard.SameLength(channels, gamma.Length, nameof(gamma), "channels");
        Guard.SameLength(channels, mean.Length, nameof(mean), "channels");
        Guard.SameLength(channels, invStd.Length, nameof(invStd), "channels");
        Guard.SameLength(channels, dgamma.Length, nameof(dgamma), "channels");
        Guard.SameLength(channels, dbeta.Length, nameof(dbeta), "channels");
        if (plane == 0) return;
        for (int c = 0; c < channels; c++)
        {
            var dyc = dy.Slice(c * plane, plane);
            var xc = x.Slice(c * plane, plane);
            float sumDy = ReduceLoop.Sum(default(IdentityOperator), dyc);
            float sumDyX = ReduceLoop.Sum(new TimesNormalizedOperator(mean[c], invStd[c]), dyc, xc);
            dgamma[c] += sumDyX;
            dbeta[c] += sumDy;
            // dx += a·dy + b·xhat + c0, the channel constants folded once.
            float a = gamma[c] * invStd[c];
            var dxc = dx.Slice(c * plane, plane);
            ElementwiseLoop.Apply(new BatchNormBackwardOperator(a, -a * sumDyX / plane, -a * sumDy / plane, mean[c], invStd[c]), dyc, xc, dxc, dxc);
        }
    }

    /// <summary>Inference mode with running statistics: y = γ·(x − mean)/√(var+ε) + β.</summary>
    public static void ForwardInference(ReadOnlySpan<float> x, int channels, int plane, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon, Span<float> y)
    {
        CheckShapes(x.Length, channels, plane, nameof(x));
        Guard.SameLength(x.Length, y.Length, nameof(y), "x");
        Guard.SameLength(channels, gamma.Length, nameof(gamma), "channels");
        Guard.SameLength(channels, beta.Length, nameof(beta), "channels");
        Guard.SameLength(channels, mean.Length, nameof(mean), "channels");
        Guard.SameLength(channels, variance.Length, nameof(variance), "channels");
        for (int c = 0; c < channels; c++)
        {
            double a = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
            float b = (float)(beta[c] - a * mean[c]);
            ElementwiseLoop.Apply(new AffineOperator((float)a, b), x.Slice(c * plane, plane), y.Slice(c * plane, plane));
        }
    }

    private static void CheckShapes(int length, int channels, int plane, string name)
    {
        Guard.NonNegative(channels, nameof(channels));
        Guard.NonNegative(plane, nameof(plane));
        Guard.Product(length, channels, "channels", plane, "plane", name);
    }

    /// <summary>(Σ (x − μ), Σ (x − μ)²) in one pass.</summary>
    private static (float Sum, float SumSquares) DeviationSums(ReadOnlySpan<float> x, float mu)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            var vm = Vector512.Create(mu);
            Vector512<float> s0 = default, s1 = default, q0 = default, q1 = default;
            for (; i + 32 <= n; i += 32)
            {
                var d0 = Vector512.LoadUnsafe(ref px, i) - vm;
                var d1 = Vector512.LoadUnsafe(ref px, i + 16) - vm;
                s0 += d0; q0 = Vector512.FusedMultiplyAdd(d0, d0, q0);
                s1 += d1; q1 = Vector512.FusedMultiplyAdd(d1, d1, q1);
            }
            if (i + 16 <= n)
            {
                var d = Vector512.LoadUnsafe(ref px, i) - vm;
                s0 += d; q0 = Vector512.FusedMultiplyAdd(d, d, q0);
                i += 16;
            }
            if (i < n)
            {
                var d = (Vector512.LoadUnsafe(ref px, n - 16) - vm) & ReduceLoop.TailMask512(n - i);
                s1 += d; q1 = Vector512.FusedMultiplyAdd(d, d, q1);
            }
            return (Vector512.Sum(s0 + s1), Vector512.Sum(q0 + q1));
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            var vm = Vector256.Create(mu);
            Vector256<float> s0 = default, s1 = default, q0 = default, q1 = default;
            for (; i + 16 <= n; i += 16)
            {
                var d0 = Vector256.LoadUnsafe(ref px, i) - vm;
                var d1 = Vector256.LoadUnsafe(ref px, i + 8) - vm;
                s0 += d0; q0 = Vector256.FusedMultiplyAdd(d0, d0, q0);
                s1 += d1; q1 = Vector256.FusedMultiplyAdd(d1, d1, q1);
            }
            if (i + 8 <= n)
            {
                var d = Vector256.LoadUnsafe(ref px, i) - vm;
                s0 += d; q0 = Vector256.FusedMultiplyAdd(d, d, q0);
                i += 8;
            }
            if (i < n)
            {
                var d = (Vector256.LoadUnsafe(ref px, n - 8) - vm) & ReduceLoop.TailMask256(n - i);
                s1 += d; q1 = Vector256.FusedMultiplyAdd(d, d, q1);
            }
            return (Vector256.Sum(s0 + s1), Vector256.Sum(q0 + q1));
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            var vm = Vector128.Create(mu);
            Vector128<float> s0 = default, s1 = default, q0 = default, q1 = default;
            for (; i + 8 <= n; i += 8)
            {
                var d0 = Vector128.LoadUnsafe(ref px, i) - vm;
                var d1 = Vector128.LoadUnsafe(ref px, i + 4) - vm;
                s0 += d0; q0 = Vector128.FusedMultiplyAdd(d0, d0, q0);
                s1 += d1; q1 = Vector128.FusedMultiplyAdd(d1, d1, q1);
            }
            if (i + 4 <= n)
            {
                var d = Vector128.LoadUnsafe(ref px, i) - vm;
                s0 += d; q0 = Vector128.FusedMultiplyAdd(d, d, q0);
                i += 4;
            }
            if (i < n)
            {
                var d = (Vector128.LoadUnsafe(ref px, n - 4) - vm) & ReduceLoop.TailMask128(n - i);
                s1 += d; q1 = Vector128.FusedMultiplyAdd(d, d, q1);
            }
            return (Vector128.Sum(s0 + s1), Vector128.Sum(q0 + q1));
        }
        double s = 0, q = 0;
        for (; i < n; i++)
        {
            double d = Unsafe.Add(ref px, i) - mu;
            s += d; q += d * d;
        }
        return ((float)s, (float)q);
    }

    /// <summary>y = activation(γ·xhat + β), xhat = (x − μ)·inv.</summary>
    private static void Normalize<TActivation>(ReadOnlySpan<float> x, float mu, float inv, float gamma, float beta, Span<float> y)
        where TActivation : struct, IUnaryOperator
    {
        var activation = default(TActivation);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        var path = Simd.Current;
        if (path == SimdPath.Vector512 && n >= 16)
        {
            Vector512<float> vm = Vector512.Create(mu), vi = Vector512.Create(inv), vg = Vector512.Create(gamma), vb = Vector512.Create(beta);
            for (; ; i += 16)
            {
                if (i + 16 > n) i = n - 16; // overlapping last vector; recomputes the same values
                var h = (Vector512.LoadUnsafe(ref px, i) - vm) * vi;
                activation.Invoke(Vector512.FusedMultiplyAdd(h, vg, vb)).StoreUnsafe(ref py, i);
                if (i + 16 == n) return;
            }
        }
        if (path >= SimdPath.Vector256 && n >= 8)
        {
            Vector256<float> vm = Vector256.Create(mu), vi = Vector256.Create(inv), vg = Vector256.Create(gamma), vb = Vector256.Create(beta);
            for (; ; i += 8)
            {
                if (i + 8 > n) i = n - 8;
                var h = (Vector256.LoadUnsafe(ref px, i) - vm) * vi;
                activation.Invoke(Vector256.FusedMultiplyAdd(h, vg, vb)).StoreUnsafe(ref py, i);
                if (i + 8 == n) return;
            }
        }
        if (path == SimdPath.Vector128 && n >= 4)
        {
            Vector128<float> vm = Vector128.Create(mu), vi = Vector128.Create(inv), vg = Vector128.Create(gamma), vb = Vector128.Create(beta);
            for (; ; i += 4)
            {
                if (i + 4 > n) i = n - 4;
                var h = (Vector128.LoadUnsafe(ref px, i) - vm) * vi;
                activation.Invoke(Vector128.FusedMultiplyAdd(h, vg, vb)).StoreUnsafe(ref py, i);
                if (i + 4 == n) return;
            }
        }
        for (; i < n; i++)
        {
            float h = (Unsafe.Add(ref px, i) - mu) * inv;
            Unsafe.Add(ref py, i) = activation.Invoke(MathF.FusedMultiplyAdd(h, gamma, beta));
        }
    }
}

/// <summary>(dy, x) ↦ dy·xhat with xhat = (x − μ)·inv, as the forward pass computed it.</summary>
internal readonly struct TimesNormalizedOperator(float mu, float inv) : IBinaryOperator
{
    public float Invoke(float dy, float x) => dy * ((x - mu) * inv);
    public Vector128<float> Invoke(Vector128<float> dy, Vector128<float> x) => dy * ((x - Vector128.Create(mu)) * Vector128.Create(inv));
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> x) => dy * ((x - Vector256.Create(mu)) * Vector256.Create(inv));
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> x) => dy * ((x - Vector512.Create(mu)) * Vector512.Create(inv));
}

/// <summary>(dy, x, dx) ↦ dx + a·dy + b·xhat + c with xhat = (x − μ)·inv.</summary>
internal readonly struct BatchNormBackwardOperator(float a, float b, float c, float mu, float inv) : ITernaryOperator
{
    public float Invoke(float dy, float x, float dx) => MathF.FusedMultiplyAdd(a, dy, MathF.FusedMultiplyAdd(b, (x - mu) * inv, dx + c));
    public Vector128<float> Invoke(Vector128<float> dy, Vector128<float> x, Vector128<float> dx) =>
        Vector128.FusedMultiplyAdd(Vector128.Create(a), dy,
            Vector128.FusedMultiplyAdd(Vector128.Create(b), (x - Vector128.Create(mu)) * Vector128.Create(inv), dx + Vector128.Create(c)));
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> x, Vector256<float> dx) =>
        Vector256.FusedMultiplyAdd(Vector256.Create(a), dy,
            Vector256.FusedMultiplyAdd(Vector256.Create(b), (x - Vector256.Create(mu)) * Vector256.Create(inv), dx + Vector256.Create(c)));
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> x, Vector512<float> dx) =>
        Vector512.FusedMultiplyAdd(Vector512.Create(a), dy,
            Vector512.FusedMultiplyAdd(Vector512.Create(b), (x - Vector512.Create(mu)) * Vector512.Create(inv), dx + Vector512.Create(c)));
}
