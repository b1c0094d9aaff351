using Reptile.Autograd;
using Reptile.Kernels;
using Reptile.Tests.Support;
using Reptile.Threading;

namespace Reptile.Tests.Autograd;

public class Conv2dOpTests
{
    /// <summary>
    /// The op splits its lowering and its products between threads; on any number of them the result must be the
    /// bits of the whole lowering and the whole products on one: im2col, W·cols + b, dW += dY·colsᵀ,
    /// dx += col2im(Wᵀ·dY). Shapes include the model's first two layers, odd sizes and a geometry whose last pixels
    /// no kernel position reaches.
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

        foreach (int threads in new[] { 1, 2, 3 })
        {
            var x = Tensor.Zeros(true, n, c, h, w);
            x.Layout = TensorLayout.ChannelMajor;
            input.CopyTo(x.Values);
            dxStart.CopyTo(x.Grad);
            var wt = Tensor.Zeros(true, outC, c, k, k);
            weight.CopyTo(wt.Values);
            dwStart.CopyTo(wt.Grad);
            var bt = Tensor.Zeros(true, outC);
            bias.CopyTo(bt.Values);
            var op = new Conv2dOp();
            using (WorkerPool.Use(threads))
            {
                op.Forward(x, wt, bt, stride, padding, null);
                dy.CopyTo(op.Output.Grad);
                op.Backward();
            }
            string where = $"{n}×{c}×{h}×{w} → {outC}, {k}×{k} stride {stride} padding {padding}, {threads} threads";
            Assert.True(y.AsSpan().SequenceEqual(op.Output.Values), "output of " + where);
            Assert.True(dw.AsSpan().SequenceEqual(wt.Grad), "weight gradient of " + where);
            Assert.True(dx.AsSpan().SequenceEqual(x.Grad), "input gradient of " + where);
        }
    }, runs: 14, everyPath: true);
}
