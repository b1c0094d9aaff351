namespace Reptile.Kernels;

/// <summary>Tiny products, where packing costs more than it saves: direct unpacked vector loops.</summary>
internal static class GemmSmall
{
    public static bool Applies(int m, int n, int k) => false;

    public static void Multiply(SimdPath path, ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB,
                                Span<float> c, int m, int n, int k, bool accumulate)
        => throw new NotImplementedException();
}
