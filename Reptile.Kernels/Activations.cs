using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>Elementwise activations; backward kernels accumulate into dx.</summary>
public static class Activations
{
    /// <summary>y = tanh(x), elementwise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.SameLength(x.Length, y.Length, nameof(y), "x");
        ElementwiseLoop.Apply(default(TanhOperator), x, y);
    }

    /// <summary>dx += dy·(1 − y²), y being the tanh output.</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Guard.SameLength(y.Length, dy.Length, nameof(dy), "y");
        Guard.SameLength(y.Length, dx.Length, nameof(dx), "y");
        ElementwiseLoop.Apply(default(TanhBackwardOperator), y, dy, dx, dx);
    }

    /// <summary>y = max(x, 0), elementwise; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.SameLength(x.Length, y.Length, nameof(y), "x");
        ElementwiseLoop.Apply(default(ReluOperator), x, y);
    }

    /// <summary>dy = y &gt; 0 ? dy : 0 in place, y being the relu output: the gradient that reaches the relu's input
    /// when nothing else feeds that input (a relu fused into the op before it).</summary>
    public static void ReluMask(ReadOnlySpan<float> y, Span<float> dy)
    {
        Guard.SameLength(y.Length, dy.Length, nameof(dy), "y");
        ElementwiseLoop.Apply(default(ReluMaskOperator), y, dy, dy);
    }

    /// <summary>dx += y &gt; 0 ? dy : 0, y being the relu output.</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Guard.SameLength(y.Length, dy.Length, nameof(dy), "y");
        Guard.SameLength(y.Length, dx.Length, nameof(dx), "y");
        ElementwiseLoop.Apply(default(ReluBackwardOperator), y, dy, dx, dx);
    }
}

/// <summary>
/// tanh as a rational function x·P(x²)/Q(x²) on [−7.9, 7.9] (outside, tanh is ±1 in float): only FMAs and one
/// reciprocal, far faster than going through a vector exp, and within a few ulp. The coefficients are
/// the minimax fit Eigen uses for its float tanh; the division is a reciprocal estimate refined by Newton's
/// method (Q lies in [0.0049, 0.6], far from zero). The scalar path is the library's MathF.Tanh.
/// </summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    private const float Clamp = 7.90531110763549805f;
    private const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f,
        A7 = 5.12229709037114e-08f, A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    private const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    public float Invoke(float x) => MathF.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x)
    {
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(-Clamp)), Vector128.Create(Clamp));
        var z = x * x;
        var p = Vector128.FusedMultiplyAdd(Vector128.Create(A13), z, Vector128.Create(A11));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(A9));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(A7));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(A5));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(A3));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(A1));
        var q = Vector128.FusedMultiplyAdd(Vector128.Create(B6), z, Vector128.Create(B4));
        q = Vector128.FusedMultiplyAdd(q, z, Vector128.Create(B2));
        q = Vector128.FusedMultiplyAdd(q, z, Vector128.Create(B0));
        return p * x * Reciprocal.Of(q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-Clamp)), Vector256.Create(Clamp));
        var z = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(A13), z, Vector256.Create(A11));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A9));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A7));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A1));
        var q = Vector256.FusedMultiplyAdd(Vector256.Create(B6), z, Vector256.Create(B4));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(B2));
        q = Vector256.FusedMultiplyAdd(q, z, Vector256.Create(B0));
        return p * x * Reciprocal.Of(q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-Clamp)), Vector512.Create(Clamp));
        var z = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(A13), z, Vector512.Create(A11));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A9));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A7));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A5));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A1));
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(B6), z, Vector512.Create(B4));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(B2));
        q = Vector512.FusedMultiplyAdd(q, z, Vector512.Create(B0));
        return p * x * Reciprocal.Of(q);
    }
}

/// <summary>(y, dy, dx) ↦ dx + dy·(1 − y²).</summary>
internal readonly struct TanhBackwardOperator : ITernaryOperator
{
    public float Invoke(float y, float dy, float dx) => MathF.FusedMultiplyAdd(dy, 1f - y * y, dx);
    public Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy, Vector128<float> dx) =>
        Vector128.FusedMultiplyAdd(dy, Vector128.FusedMultiplyAdd(-y, y, Vector128<float>.One), dx);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx) =>
        Vector256.FusedMultiplyAdd(dy, Vector256.FusedMultiplyAdd(-y, y, Vector256<float>.One), dx);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx) =>
        Vector512.FusedMultiplyAdd(dy, Vector512.FusedMultiplyAdd(-y, y, Vector512<float>.One), dx);
}

/// <summary>x &gt; 0 ? x : 0 (NaN and −0 give +0, the same on every path).</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    public float Invoke(float x) => x > 0f ? x : 0f;
    public Vector128<float> Invoke(Vector128<float> x) => x & Vector128.GreaterThan(x, Vector128<float>.Zero);
    public Vector256<float> Invoke(Vector256<float> x) => x & Vector256.GreaterThan(x, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x) => x & Vector512.GreaterThan(x, Vector512<float>.Zero);
}

/// <summary>(y, dy, dx) ↦ dx + (y &gt; 0 ? dy : 0).</summary>
internal readonly struct ReluMaskOperator : IBinaryOperator
{
    public float Invoke(float y, float dy) => y > 0f ? dy : 0f;
    public Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy & Vector128.GreaterThan(y, Vector128<float>.Zero);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy & Vector256.GreaterThan(y, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy & Vector512.GreaterThan(y, Vector512<float>.Zero);
}

internal readonly struct ReluBackwardOperator : ITernaryOperator
{
    public float Invoke(float y, float dy, float dx) => y > 0f ? dx + dy : dx;
    public Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy, Vector128<float> dx) =>
        dx + (dy & Vector128.GreaterThan(y, Vector128<float>.Zero));
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx) =>
        dx + (dy & Vector256.GreaterThan(y, Vector256<float>.Zero));
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx) =>
        dx + (dy & Vector512.GreaterThan(y, Vector512<float>.Zero));
}
