namespace Reptile.Kernels;

/// <summary>Bias add and its gradient, for row-major (dense) and channel-major (convolution) layouts.</summary>
public static class Bias
{
    /// <summary>x[r,c] += bias[c]; x is rows × bias.Length, row-major.</summary>
    public static void AddToRows(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        Guard.NonNegative(rows, nameof(rows));
        Guard.Product(x.Length, rows, "rows", bias.Length, "bias", nameof(x));
        int cols = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            ElementwiseLoop.Apply(default(AddOperator), row, bias, row);
        }
    }

    /// <summary>dbias[c] += Σ_r dy[r,c].</summary>
    public static void SumRows(ReadOnlySpan<float> dy, Span<float> dbias, int rows)
    {
        Guard.NonNegative(rows, nameof(rows));
        Guard.Product(dy.Length, rows, "rows", dbias.Length, "dbias", nameof(dy));
        int cols = dbias.Length;
        for (int r = 0; r < rows; r++)
            ElementwiseLoop.Apply(default(AddOperator), dbias, dy.Slice(r * cols, cols), dbias);
    }

    /// <summary>x[c·plane + i] += bias[c]: channel c is the contiguous block of plane elements.</summary>
    public static void AddToChannels(Span<float> x, ReadOnlySpan<float> bias, int plane)
    {
        Guard.NonNegative(plane, nameof(plane));
        Guard.Product(x.Length, bias.Length, "channels", plane, "plane", nameof(x));
        for (int c = 0; c < bias.Length; c++)
        {
            var block = x.Slice(c * plane, plane);
            ElementwiseLoop.Apply(new AddScalarOperator(bias[c]), block, block);
        }
    }

    /// <summary>dbias[c] += Σ_i dy[c·plane + i].</summary>
    public static void SumChannels(ReadOnlySpan<float> dy, Span<float> dbias, int plane)
    {
        Guard.NonNegative(plane, nameof(plane));
        Guard.Product(dy.Length, dbias.Length, "channels", plane, "plane", nameof(dy));
        for (int c = 0; c < dbias.Length; c++)
            dbias[c] += ReduceLoop.Sum(default(IdentityOperator), dy.Slice(c * plane, plane));
    }
}
