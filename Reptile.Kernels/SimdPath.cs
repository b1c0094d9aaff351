namespace Reptile.Kernels;

/// <summary>The instruction width a kernel runs with.</summary>
public enum SimdPath
{
    Scalar = 0,
    Vector128 = 1,
    Vector256 = 2,
    Vector512 = 3,
}
