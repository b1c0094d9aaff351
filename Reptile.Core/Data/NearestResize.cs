namespace Reptile.Data;

/// <summary>Nearest-neighbour resizing as PIL does it: output pixel i samples source pixel floor((i + 0.5)·src/dst).</summary>
internal static class NearestResize
{
    public static int[] SourceIndices(int sourceSize, int destinationSize)
    {
        var idx = new int[destinationSize];
        // floor((i + 0.5)·s/d) in exact integer arithmetic.
        for (int i = 0; i < destinationSize; i++) idx[i] = (int)((2L * i + 1) * sourceSize / (2L * destinationSize));
        return idx;
    }

    /// <summary>Samples <paramref name="source"/> (srcH×srcW) into <paramref name="destination"/> (rows.Length×cols.Length), mapping each byte through <paramref name="map"/>.</summary>
    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int[] rows, int[] cols, Span<byte> destination, Func<byte, byte>? map = null)
    {
        int k = 0;
        foreach (var r in rows)
        {
            var srcRow = source.Slice(r * sourceWidth, sourceWidth);
            if (map == null) foreach (var c in cols) destination[k++] = srcRow[c];
            else foreach (var c in cols) destination[k++] = map(srcRow[c]);
        }
    }
}
