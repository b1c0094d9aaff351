namespace Reptile.Data;

/// <summary>
/// Box-filter (area-averaging) resizing of interleaved 8-bit pixels: output pixel i covers source interval
/// [i·s/d, (i+1)·s/d) on each axis, and takes the mean of the source pixels weighted by how much of each lies inside.
/// Separable: rows first into doubles, then columns; weights are exact rationals computed in double.
/// </summary>
internal static class AreaResize
{
    /// <summary>For each output index, the first source index it covers and the weights of the covered sources (summing to 1).</summary>
    private static (int First, double[] Weights)[] Coverage(int source, int destination)
    {
        var result = new (int, double[])[destination];
        double scale = (double)source / destination;
        for (int i = 0; i < destination; i++)
        {
            double from = i * scale, to = (i + 1) * scale;
            int first = (int)Math.Floor(from), last = Math.Min(source - 1, (int)Math.Ceiling(to) - 1);
            var weights = new double[last - first + 1];
            for (int s = first; s <= last; s++)
                weights[s - first] = (Math.Min(to, s + 1) - Math.Max(from, s)) / scale;
            result[i] = (first, weights);
        }
        return result;
    }

    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, int channels, int width, int height, Span<byte> destination)
    {
        var rows = Coverage(sourceHeight, height);
        var cols = Coverage(sourceWidth, width);
        // One source row at a time resampled horizontally, accumulated into each output row it touches.
        var horizontal = new double[width * channels];
        var accumulated = new double[height * width * channels];
        for (int sr = 0; sr < sourceHeight; sr++)
        {
            var row = source.Slice(sr * sourceWidth * channels, sourceWidth * channels);
            for (int c = 0; c < width; c++)
            {
                var (first, weights) = cols[c];
                for (int ch = 0; ch < channels; ch++)
                {
                    double sum = 0;
                    for (int k = 0; k < weights.Length; k++) sum += weights[k] * row[(first + k) * channels + ch];
                    horizontal[c * channels + ch] = sum;
                }
            }
            for (int r = 0; r < height; r++)
            {
                var (first, weights) = rows[r];
                int k = sr - first;
                if (k < 0 || k >= weights.Length) continue;
                var target = accumulated.AsSpan(r * width * channels, width * channels);
                for (int j = 0; j < target.Length; j++) target[j] += weights[k] * horizontal[j];
            }
        }
        for (int i = 0; i < accumulated.Length; i++) destination[i] = (byte)Math.Clamp(Math.Round(accumulated[i]), 0, 255);
    }
}
