using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

// Each operator supplies the same math at every width; ElementwiseLoop picks the width.
// Operators are structs so the generic driver is specialised and the calls inline; scalar
// parameters (learning rate, scale, ...) live as fields.

internal interface IUnaryOperator
{
    float Invoke(float x);
    Vector128<float> Invoke(Vector128<float> x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

internal interface IBinaryOperator
{
    float Invoke(float x, float y);
    Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

internal interface ITernaryOperator
{
    float Invoke(float x, float y, float z);
    Vector128<float> Invoke(Vector128<float> x, Vector128<float> y, Vector128<float> z);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z);
}

/// <summary>x + y.</summary>
internal readonly struct AddOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => x + y;
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x + y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
}

/// <summary>x + s.</summary>
internal readonly struct AddScalarOperator(float s) : IUnaryOperator
{
    public float Invoke(float x) => x + s;
    public Vector128<float> Invoke(Vector128<float> x) => x + Vector128.Create(s);
    public Vector256<float> Invoke(Vector256<float> x) => x + Vector256.Create(s);
    public Vector512<float> Invoke(Vector512<float> x) => x + Vector512.Create(s);
}

/// <summary>x·s.</summary>
internal readonly struct MultiplyScalarOperator(float s) : IUnaryOperator
{
    public float Invoke(float x) => x * s;
    public Vector128<float> Invoke(Vector128<float> x) => x * Vector128.Create(s);
    public Vector256<float> Invoke(Vector256<float> x) => x * Vector256.Create(s);
    public Vector512<float> Invoke(Vector512<float> x) => x * Vector512.Create(s);
}

/// <summary>x·a + b.</summary>
internal readonly struct AffineOperator(float a, float b) : IUnaryOperator
{
    public float Invoke(float x) => MathF.FusedMultiplyAdd(x, a, b);
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.FusedMultiplyAdd(x, Vector128.Create(a), Vector128.Create(b));
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.FusedMultiplyAdd(x, Vector256.Create(a), Vector256.Create(b));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.FusedMultiplyAdd(x, Vector512.Create(a), Vector512.Create(b));
}

/// <summary>x + s·y (the accumulate-into-x shape of axpy).</summary>
internal readonly struct MultiplyAddOperator(float s) : IBinaryOperator
{
    public float Invoke(float x, float y) => MathF.FusedMultiplyAdd(y, s, x);
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.FusedMultiplyAdd(y, Vector128.Create(s), x);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.FusedMultiplyAdd(y, Vector256.Create(s), x);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.FusedMultiplyAdd(y, Vector512.Create(s), x);
}
