using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>Elementwise activations; backward kernels accumulate into dx.</summary>
public static class Activations
{
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

    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.SameLength(x.Length, y.Length, nameof(y), "x");
        ElementwiseLoop.Apply(default(ReluOperator), x, y);
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
/// tanh: an odd polynomial below |x| = 0.625 (Cephes tanhf; 1 − 2/(e^{2x}+1) would lose the
/// relative accuracy of small results to cancellation), 1 − 2/(e^{2|x|}+1) above, with the
/// exponent clamped where tanh is already 1 in float so e^{2|x|} never overflows.
/// </summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    private const float Switch = 0.625f, Clamp = 20f;
    private const float P0 = -5.70498872745e-3f, P1 = 2.06390887954e-2f, P2 = -5.37397155531e-2f, P3 = 1.33314422036e-1f, P4 = -3.33332819422e-1f;

    public float Invoke(float x) => MathF.Tanh(x);

    public Vector256<float> Invoke(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var e = Vector256.Exp(Vector256.Min(ax + ax, Vector256.Create(Clamp)));
        var big = Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
        big = (big.AsUInt32() | (x.AsUInt32() & Vector256.Create(0x8000_0000u))).AsSingle();
        var z = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), z, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(P4));
        var small = Vector256.FusedMultiplyAdd(p * z, x, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(Switch)), small, big);
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var e = Vector512.Exp(Vector512.Min(ax + ax, Vector512.Create(Clamp)));
        var big = Vector512<float>.One - Vector512.Create(2f) / (e + Vector512<float>.One);
        big = (big.AsUInt32() | (x.AsUInt32() & Vector512.Create(0x8000_0000u))).AsSingle();
        var z = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), z, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(P4));
        var small = Vector512.FusedMultiplyAdd(p * z, x, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(Switch)), small, big);
    }
}

/// <summary>(y, dy, dx) ↦ dx + dy·(1 − y²).</summary>
internal readonly struct TanhBackwardOperator : ITernaryOperator
{
    public float Invoke(float y, float dy, float dx) => MathF.FusedMultiplyAdd(dy, 1f - y * y, dx);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx) =>
        Vector256.FusedMultiplyAdd(dy, Vector256.FusedMultiplyAdd(-y, y, Vector256<float>.One), dx);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx) =>
        Vector512.FusedMultiplyAdd(dy, Vector512.FusedMultiplyAdd(-y, y, Vector512<float>.One), dx);
}

/// <summary>x &gt; 0 ? x : 0 (NaN and −0 give +0, the same on every path).</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    public float Invoke(float x) => x > 0f ? x : 0f;
    public Vector256<float> Invoke(Vector256<float> x) => x & Vector256.GreaterThan(x, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x) => x & Vector512.GreaterThan(x, Vector512<float>.Zero);
}

/// <summary>(y, dy, dx) ↦ dx + (y &gt; 0 ? dy : 0).</summary>
internal readonly struct ReluBackwardOperator : ITernaryOperator
{
    public float Invoke(float y, float dy, float dx) => y > 0f ? dx + dy : dx;
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> dx) =>
        dx + (dy & Vector256.GreaterThan(y, Vector256<float>.Zero));
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> dx) =>
        dx + (dy & Vector512.GreaterThan(y, Vector512<float>.Zero));
}
