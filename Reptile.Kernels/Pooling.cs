using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>Max pooling over channel-major [C][N][H][W] data, or position-major [N][H][W][C] rows, no padding.</summary>
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

    /// <summary>
    /// <see cref="MaxPool"/> on position-major rows, output positions [from, to) (p = (n·OH + r)·OW + q): each output row
    /// is the lane-wise max of its window's input rows, taken in the same order (window rows, then columns), so every
    /// channel gets the channel-major kernel's max and, on ties, its first argmax; argmax holds the input pixel
    /// (not the flat index) of each channel's max.
    /// </summary>
    internal static unsafe void MaxPoolRows(float* x, int channels, int height, int width, int outH, int outW, int size, int stride,
        float* y, int* argmax, int from, int to)
    {
        bool wide = Simd.Current == SimdPath.Vector512;
        for (int p = from; p < to; p++)
        {
            int q = p % outW, r = p / outW % outH, n = p / (outW * outH);
            int rows = Math.Min(size, height - r * stride), cols = Math.Min(size, width - q * stride);
            int first = (n * height + r * stride) * width + q * stride;
            float* yp = y + (nint)p * channels;
            int* ap = argmax + (nint)p * channels;
            int c = 0;
            if (wide)
                for (; c + 16 <= channels; c += 16)
                {
                    var max = Vector512.Load(x + (nint)first * channels + c);
                    var best = Vector512.Create(first);
                    for (int i = 0; i < rows; i++)
                        for (int j = 0; j < cols; j++)
                        {
                            int pixel = first + i * width + j;
                            var v = Vector512.Load(x + (nint)pixel * channels + c);
                            var greater = Vector512.GreaterThan(v, max);
                            max = Vector512.ConditionalSelect(greater, v, max);
                            best = Vector512.ConditionalSelect(greater.AsInt32(), Vector512.Create(pixel), best);
                        }
                    max.Store(yp + c);
                    best.Store(ap + c);
                }
            for (; c < channels; c++)
            {
                float max = x[(nint)first * channels + c];
                int best = first;
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++)
                    {
                        int pixel = first + i * width + j;
                        float v = x[(nint)pixel * channels + c];
                        if (v > max) { max = v; best = pixel; }
                    }
                yp[c] = max;
                ap[c] = best;
            }
        }
    }

    /// <summary>dx[argmax[p][c]][c] += dy[p][c] for channels [c0, c1), positions ascending (each channel's sums in the
    /// channel-major kernel's order).</summary>
    internal static unsafe void MaxPoolRowsBackward(float* dy, int* argmax, int positions, int channels, float* dx, int c0, int c1)
    {
        for (int p = 0; p < positions; p++)
        {
            float* g = dy + (nint)p * channels;
            int* a = argmax + (nint)p * channels;
            for (int c = c0; c < c1; c++) dx[(nint)a[c] * channels + c] += g[c];
        }
    }
}
