using Reptile.Autograd;
using Reptile.Kernels;
using Reptile.Tests.Support;
using Reptile.Threading;

namespace Reptile.Tests.Autograd;

public class Conv2dOpTests
{
    /// <summary>
    /// The op splits its lowering and its products between threads; on any number of them the result must be the
    /// bits of one thread: on the lowering route the whole lowering and the whole products (im2col, W·cols + b,
    /// dW += dY·colsᵀ, dx += col2im(Wᵀ·dY)), on the direct route (512-bit, output channels in panels of 32) the op's
    /// own result on one thread, which <see cref="DirectRouteMatchesTheConvolution"/> checks against double sums.
    /// Shapes include the model's first two layers, odd sizes and a geometry whose last pixels no kernel position
    /// reaches.
    /// </summary>
    [Fact]
    public void OnAnyThreadsEqualsTheWholeProducts() => Property.ForAll(rng =>
    {
        var (n, c, h, w, outC, k, stride, padding) = rng.Pick(
            (10, 64, 14, 14, 64, 3, 2, 1), (10, 1, 28, 28, 64, 3, 2, 1), (3, 5, 7, 9, 3, 3, 2, 1),
            (2, 3, 11, 6, 4, 5, 1, 0), (1, 2, 5, 5, 3, 2, 2, 0), (4, 7, 9, 9, 5, 3, 3, 2), (2, 33, 8, 8, 17, 3, 1, 1));
        var plan = new ConvolutionPlan(n, h, w, k, k, stride, padding);
        int patch = c * k * k, positions = plan.Columns;
        float[] Random(int length) => Enumerable.Range(0, length).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        var input = Random(n * c * h * w);
        var weight = Random(outC * patch);
        var bias = Random(outC);
        var dy = Random(outC * positions);
        var dxStart = Random(input.Length);
        var dwStart = Random(weight.Length);

        var cols = new float[patch * positions];
        Convolution.Im2Col(input, c, plan, cols);
        var y = new float[outC * positions];
        Gemm.Multiply(weight, false, cols, false, y, outC, positions, patch);
        Bias.AddToChannels(y, bias, positions);
        var dw = (float[])dwStart.Clone();
        Gemm.Multiply(dy, false, cols, true, dw, outC, patch, positions, accumulate: true);
        var dcols = new float[cols.Length];
        Gemm.Multiply(weight, true, dy, false, dcols, patch, positions, outC);
        var dx = (float[])dxStart.Clone();
        Convolution.Col2Im(dcols, c, plan, dx);

        bool direct = DirectConvolution.Applies(outC);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var (opY, opDw, opDx) = Run(input, weight, bias, dy, dxStart, dwStart, n, c, h, w, outC, k, stride, padding, threads);
            string where = $"{n}×{c}×{h}×{w} → {outC}, {k}×{k} stride {stride} padding {padding}, {threads} threads";
            if (direct && threads == 1)
            {
                // The direct route's sums run in its own order: its one-thread bits are the reference for the others.
                (y, dw, dx) = (opY, opDw, opDx);
                continue;
            }
            Assert.True(y.AsSpan().SequenceEqual(opY), "output of " + where);
            Assert.True(dw.AsSpan().SequenceEqual(opDw), "weight gradient of " + where);
            Assert.True(dx.AsSpan().SequenceEqual(opDx), "input gradient of " + where);
        }
    }, runs: 14, everyPath: true);

    /// <summary>
    /// The direct route (position-major rows, no lowering) against the convolution summed in double: output, weight
    /// gradient and input gradient, each added to what the buffers held, for input channel counts that take every
    /// sub-route (weight-gradient rows of one tap from 8 channels, of their own tap and channel below; the input
    /// gradient direct from 32 channels, through the lowering otherwise).
    /// </summary>
    [Fact]
    public void DirectRouteMatchesTheConvolution() => Property.ForAll(rng =>
    {
        if (!DirectConvolution.Applies(32)) return; // not the 512-bit path: the route is not taken
        int n = 1 + rng.NextInt(3), c = rng.Pick(1, 3, 8, 16, 32, 64, 40), outC = rng.Pick(32, 64);
        int h = 1 + rng.NextInt(15), w = 1 + rng.NextInt(15), k = 1 + rng.NextInt(3), stride = 1 + rng.NextInt(2), padding = 0 + rng.NextInt(2);
        if (h + 2 * padding < k || w + 2 * padding < k) return;
        var plan = new ConvolutionPlan(n, h, w, k, k, stride, padding);
        int oh = plan.OutH, ow = plan.OutW;
        float[] Random(int length) => Enumerable.Range(0, length).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        var input = Random(n * c * h * w);
        var weight = Random(outC * c * k * k);
        var bias = Random(outC);
        var dy = Random(outC * plan.Columns);
        var dxStart = Random(input.Length);
        var dwStart = Random(weight.Length);

        // Inputs in whole panels are also read (and their gradient added) in place, as position-major rows.
        bool rowsInput = c % DirectConvolution.Panel == 0 && rng.NextInt(2) == 1;
        var (opY, opDw, opDx) = Run(input, weight, bias, dy, dxStart, dwStart, n, c, h, w, outC, k, stride, padding, threads: 1, rowsInput);

        // Each value summed in double with the sum of its terms' magnitudes, which bounds float rounding.
        var y = new double[outC * plan.Columns];
        var yScale = new double[y.Length];
        var dw = Array.ConvertAll(dwStart, v => (double)v);
        var dwScale = Array.ConvertAll(dwStart, v => (double)Math.Abs(v));
        var dx = Array.ConvertAll(dxStart, v => (double)v);
        var dxScale = Array.ConvertAll(dxStart, v => (double)Math.Abs(v));
        for (int o = 0; o < outC; o++)
        for (int b = 0; b < n; b++)
        for (int r = 0; r < oh; r++)
        for (int q = 0; q < ow; q++)
        {
            int p = (b * oh + r) * ow + q;
            double sum = bias[o], scale = Math.Abs(bias[o]);
            for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                int ih = r * stride - padding + i, iw = q * stride - padding + j;
                if ((uint)ih >= (uint)h || (uint)iw >= (uint)w) continue;
                int at = ((ch * n + b) * h + ih) * w + iw, wi = ((o * c + ch) * k + i) * k + j;
                double g = dy[o * plan.Columns + p];
                sum += (double)weight[wi] * input[at];
                scale += Math.Abs((double)weight[wi] * input[at]);
                dw[wi] += g * input[at];
                dwScale[wi] += Math.Abs(g * input[at]);
                dx[at] += g * weight[wi];
                dxScale[at] += Math.Abs(g * weight[wi]);
            }
            y[o * plan.Columns + p] = sum;
            yScale[o * plan.Columns + p] = scale;
        }
        string where = $"{n}×{c}×{h}×{w}{(rowsInput ? " position-major" : "")} → {outC}, {k}×{k} stride {stride} padding {padding}";
        Near(y, yScale, opY, "output of " + where);
        Near(dw, dwScale, opDw, "weight gradient of " + where);
        Near(dx, dxScale, opDx, "input gradient of " + where);
    }, runs: 60);

    /// <summary>|actual − expected| within a few float roundings of the terms' magnitudes.</summary>
    private static void Near(double[] expected, double[] scale, ReadOnlySpan<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * scale[i] + 1e-30,
                $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (terms' magnitude {scale[i]})");
    }

    /// <summary>The op's forward and backward on <paramref name="threads"/> threads from the given values and starting
    /// gradients (all channel-major): its output, weight gradient and input gradient, channel-major. With
    /// <paramref name="rowsInput"/> the input is given position-major, as a direct convolution's output would be.</summary>
    private static (float[] Y, float[] Dw, float[] Dx) Run(float[] input, float[] weight, float[] bias, float[] dy, float[] dxStart,
        float[] dwStart, int n, int c, int h, int w, int outC, int k, int stride, int padding, int threads, bool rowsInput = false)
    {
        int pixels = n * h * w;
        var x = Tensor.Zeros(true, 0, 0, 0, 0);
        if (rowsInput)
        {
            x.ReshapeRows([n, c, h, w], requiresGrad: true);
            x.Layout = TensorLayout.PositionMajor;
            ToRows(input, c, pixels, x.Values);
            ToRows(dxStart, c, pixels, x.Grad);
        }
        else
        {
            x.Reshape([n, c, h, w], requiresGrad: true);
            x.Layout = TensorLayout.ChannelMajor;
            input.CopyTo(x.Values);
            dxStart.CopyTo(x.Grad);
        }
        var wt = Tensor.Zeros(true, outC, c, k, k);
        weight.CopyTo(wt.Values);
        dwStart.CopyTo(wt.Grad);
        var bt = Tensor.Zeros(true, outC);
        bias.CopyTo(bt.Values);
        var op = new Conv2dOp();
        float[] y;
        using (WorkerPool.Use(threads))
        {
            op.Forward(x, wt, bt, stride, padding, null);
            bool rowsOutput = op.Output.Layout == TensorLayout.PositionMajor;
            int positions = op.Output.Length / outC;
            if (rowsOutput) ToRows(dy, outC, positions, op.Output.Grad);
            else dy.CopyTo(op.Output.Grad);
            y = rowsOutput ? FromRows(op.Output.Values, outC, positions) : op.Output.Values.ToArray();
            op.Backward();
        }
        var dx = rowsInput ? FromRows(x.Grad, c, pixels) : x.Grad.ToArray();
        return (y, wt.Grad.ToArray(), dx);
    }

    /// <summary>Channel-major [channels][count] into position-major rows [count][channels].</summary>
    private static void ToRows(ReadOnlySpan<float> channelMajor, int channels, int count, Span<float> rows)
    {
        for (int ch = 0; ch < channels; ch++)
            for (int p = 0; p < count; p++)
                rows[p * channels + ch] = channelMajor[ch * count + p];
    }

    /// <summary>Position-major rows [count][channels] as channel-major [channels][count].</summary>
    private static float[] FromRows(ReadOnlySpan<float> rows, int channels, int count)
    {
        var channelMajor = new float[channels * count];
        for (int ch = 0; ch < channels; ch++)
            for (int p = 0; p < count; p++)
                channelMajor[ch * count + p] = rows[p * channels + ch];
        return channelMajor;
    }
}
