namespace Reptile.Kernels;

/// <summary>Max pooling over channel-major [C][N][H][W] data, no padding.</summary>
public static class Pooling
{
    /// <summary>
    /// The pooled length of one spatial dimension, as PyTorch's MaxPool2d computes it without padding: floor mode
    /// gives (input − size)/stride + 1 rounded down; ceil mode rounds up, so a last window may run past the edge,
    /// but never starts past it.
    /// </summary>
    /// <param name="input">The input length (at least <paramref name="size"/>).</param>
    /// <param name="size">The window length.</param>
    /// <param name="stride">The step between windows.</param>
    /// <param name="ceilMode">True for PyTorch's ceil_mode=True (TensorFlow's padding='same' when size equals stride).</param>
    public static int OutputSize(int input, int size, int stride, bool ceilMode)
    {
        Guard.Positive(size, nameof(size));
        Guard.Positive(stride, nameof(stride));
        if (input < size)
            throw new ArgumentException($"Pool size {size} does not fit input length {input}.", nameof(size));
        if (!ceilMode) return (input - size) / stride + 1;
        int output = (input - size + stride - 1) / stride + 1;
        // PyTorch's rule: a window that would start past the input is dropped.
        if ((output - 1) * stride >= input) output--;
        return output;
    }

    /// <summary>
    /// y = the max of each size×size window, OH = <see cref="OutputSize"/> (floor or ceil mode; in ceil mode a
    /// window that runs past the edge takes the max over the part inside); argmax holds the flat index into x of
    /// each max, the first one on ties. Windows are small, so this stays scalar.
    /// </summary>
    public static void MaxPool(ReadOnlySpan<float> x, int channels, int batch, int height, int width, int size, int stride,
        Span<float> y, Span<int> argmax, bool ceilMode = false)
    {
        Guard.NonNegative(channels, nameof(channels));
        Guard.NonNegative(batch, nameof(batch));
        Guard.Positive(size, nameof(size));
        Guard.Positive(stride, nameof(stride));
        if (height < size || width < size)
            throw new ArgumentException($"Pool size {size} does not fit input {height}×{width}.", nameof(size));
        int oh = OutputSize(height, size, stride, ceilMode), ow = OutputSize(width, size, stride, ceilMode);
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
            {
                int rows = Math.Min(size, height - r * stride);
                for (int q = 0; q < ow; q++, o++)
                {
                    int cols = Math.Min(size, width - q * stride);
                    int best = basePlane + r * stride * width + q * stride;
                    float max = x[best];
                    for (int i = 0; i < rows; i++)
                    {
                        int rowStart = basePlane + (r * stride + i) * width + q * stride;
                        for (int j = 0; j < cols; j++)
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
