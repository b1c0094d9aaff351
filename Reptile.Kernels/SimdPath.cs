namespace Reptile.Kernels;

/// <summary>The instruction width a kernel runs with.</summary>
public enum SimdPath
{
    Scalar = 0,
    Vector256 = 1,
    Vector512 = 2,
}
