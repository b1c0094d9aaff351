namespace Reptile.Kernels;

/// <summary>Max pooling over channel-major [C][N][H][W] data, no padding.</summary>
public static class Pooling
{
    /// <summary>
    /// y = the max of each size×size window, OH = (H − size)/stride + 1 (floor); argmax holds the flat
    /// index into x of each max, the first one on ties. Windows are small, so this stays scalar.
    /// </summary>
    public static void MaxPool(ReadOnlySpan<float> x, int channels, int batch, int height, int width, int size, int stride,
        Span<float> y, Span<int> argmax)
    {
        Guard.NonNegative(channels, nameof(channels));
        Guard.NonNegative(batch, nameof(batch));
        Guard.Positive(size, nameof(size));
        Guard.Positive(stride, nameof(stride));
        if (height < size || width < size)
            throw new ArgumentException($"Pool size {size} does not fit input {height}×{width}.", nameof(size));
        int oh = (height - size) / stride + 1, ow = (width - size) / stride + 1;
        long xLen = (long)channels * batch * height * width, yLen = (long)channels * batch * oh * ow;
        if (xLen != x.Length)
            throw new ArgumentException($"x has length {x.Length}, expected {xLen} (channels {channels} × batch {batch} × {height} × {width}).", nameof(x));
        if (yLen != y.Length)
            throw new ArgumentException($"y has length {y.Length}, expected {yLen} (channels {channels} × batch {batch} × {oh} × {ow}).", nameof(y));
        Guard.SameLength(y.Length, argmax.Length, nameof(argmax), "y");
        int planes = channels * batch, o = 0;
        for (int p = 0; p < planes; p++)
        {
            int basePlane = p * height * width;
            for (int r = 0; r < oh; r++)
            for (int q = 0; q < ow; q++, o++)
            {
                int best = basePlane + r * stride * width + q * stride;
                float max = x[best];
                for (int i = 0; i < size; i++)
                {
                    int rowStart = basePlane + (r * stride + i) * width + q * stride;
                    for (int j = 0; j < size; j++)
                    {
                        float v = x[rowStart + j];
                        if (v > max) { max = v; best = rowStart + j; }
                    }
                }
                y[o] = max;
                argmax[o] = best;
            }
        }
    }

    /// <summary>dx[argmax[i]] += dy[i].</summary>
    public static void MaxPoolBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx)
    {
        Guard.SameLength(dy.Length, argmax.Length, nameof(argmax), "dy");
        for (int i = 0; i < dy.Length; i++)
        {
            int k = argmax[i];
            if ((uint)k >= (uint)dx.Length)
                throw new ArgumentOutOfRangeException(nameof(argmax), k, $"argmax[{i}] is {k}, outside dx of length {dx.Length}.");
            dx[k] += dy[i];
        }
    }
}
