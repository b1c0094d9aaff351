namespace Reptile.Autograd;

/// <summary>Swaps the two outer axes of [A][B][plane] blocks: the move between NCHW and channel-major.</summary>
internal static class BlockTranspose
{
    /// <summary>destination[j][i] = source[i][j].</summary>
    public static void Copy(ReadOnlySpan<float> source, Span<float> destination, int a, int b, int plane)
    {
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                source.Slice((i * b + j) * plane, plane).CopyTo(destination.Slice((j * a + i) * plane, plane));
    }

    /// <summary>destination[j][i] += source[i][j] (the adjoint of <see cref="Copy"/>, for backward passes).</summary>
    public static void Add(ReadOnlySpan<float> source, Span<float> destination, int a, int b, int plane)
    {
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
            {
                var src = source.Slice((i * b + j) * plane, plane);
                var dst = destination.Slice((j * a + i) * plane, plane);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
            }
    }
}
