namespace Reptile.IO;

/// <summary>The one place shape products are computed: in 64 bits, checked, so no header can overflow a size.</summary>
internal static class ShapeSize
{
    /// <summary>Product of <paramref name="dimensions"/> times <paramref name="factor"/> (e.g. bytes per element);
    /// false when a dimension is negative or the product exceeds <see cref="long.MaxValue"/>.</summary>
    public static bool TryProduct(ReadOnlySpan<int> dimensions, long factor, out long product)
    {
        product = 0;
        if (factor < 0) return false;
        long p = factor;
        foreach (var d in dimensions)
        {
            if (d < 0) return false;
            if (d != 0 && p > long.MaxValue / d) return false;
            p *= d;
        }
        product = p;
        return true;
    }

    /// <summary>Element count of a shape built by code (not read from a file): overflow is a caller error.</summary>
    public static long Elements(ReadOnlySpan<int> dimensions) =>
        TryProduct(dimensions, 1, out long n) ? n : throw new ArgumentException($"Shape ({string.Join(", ", dimensions.ToArray())}) has a negative dimension or more than 2^63 elements.");

    /// <summary>A shape for messages: "(3, 20, 105, 105)".</summary>
    public static string Format(ReadOnlySpan<int> dimensions) => $"({string.Join(", ", dimensions.ToArray())})";
}
