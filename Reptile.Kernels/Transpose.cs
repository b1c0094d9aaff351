using System.Runtime.Intrinsics.X86;

namespace Reptile.Kernels;

/// <summary>Matrix transposition, with the GEMM packer's 8×8 register transposes where AVX is there.</summary>
public static class Transpose
{
    /// <summary>destination (cols × rows) = sourceᵀ, source being rows × cols, both row-major.</summary>
    public static unsafe void Matrix(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination)
    {
        Guard.NonNegative(rows, nameof(rows));
        Guard.NonNegative(cols, nameof(cols));
        Guard.Product(source.Length, rows, "rows", cols, "cols", nameof(source));
        Guard.Product(destination.Length, cols, "cols", rows, "rows", nameof(destination));
        if (rows == 0 || cols == 0) return;
        fixed (float* s = source, d = destination)
        {
            if (Simd.Current != SimdPath.Scalar && Avx.IsSupported)
            {
                GemmPacking.TransposePack(d, rows, rows, s, cols, rows, cols);
                return;
            }
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    d[(long)c * rows + r] = s[(long)r * cols + c];
        }
    }
}
