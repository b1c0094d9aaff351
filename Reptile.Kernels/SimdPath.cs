namespace Reptile.Kernels;

/// <summary>The instruction width a kernel runs with.</summary>
public enum SimdPath
{
    /// <summary>Plain scalar loops: the reference every vector path is tested against.</summary>
    Scalar = 0,
    /// <summary>128-bit vectors with fused multiply-add (x64 with FMA, or ARM64 AdvSimd): 4 floats at a time.</summary>
    Vector128 = 1,
    /// <summary>256-bit vectors (x64 AVX2): 8 floats at a time.</summary>
    Vector256 = 2,
    /// <summary>512-bit vectors (AVX-512F): 16 floats at a time.</summary>
    Vector512 = 3,
}
