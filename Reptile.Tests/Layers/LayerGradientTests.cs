using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Tests.Support;

namespace Reptile.Tests.Layers;

/// <summary>Every layer's backward against central finite differences, over random shapes and values
/// (sizes deliberately off the vector widths).</summary>
public class LayerGradientTests
{
    private static readonly int[] OddSizes = [1, 2, 3, 5, 7, 16, 17, 33];

    private static void AssertGradients(Layer layer, Tensor input, Rng rng, double step = 5e-3, bool inputGrad = true)
    {
        var model = new Sequential(layer).Initialize(rng);
        // Non-trivial BN scale/shift so their gradients are exercised away from the identity.
        foreach (var p in model.NamedParameters)
            if (layer is BatchNorm2d)
                for (int i = 0; i < p.Length; i++) p.Tensor.Values[i] = (float)rng.Uniform(0.5, 1.5) * (p.Name.EndsWith("bias") ? 0.3f : 1f);
        var wrt = model.NamedParameters.Select(p => p.Tensor).ToList();
        if (inputGrad) wrt.Add(input);
        var failure = GradientCheck.FindMismatch(tape => model.Forward(input, tape), wrt, rng, new GradientCheckSettings(Step: step));
        Assert.True(failure == null, $"{layer} on {input}: {failure}");
    }

    [Fact]
    public void DenseMatchesFiniteDifferences() => Property.ForAll(rng =>
    {
        int inF = rng.Pick(OddSizes), outF = rng.Pick(OddSizes);
        AssertGradients(new Linear(inF, outF), GradientCheck.RandomTensor(rng, true, rng.Pick(1, 3, 10), inF), rng);
    });

    [Fact]
    public void TanhMatchesFiniteDifferences() => Property.ForAll(rng =>
    {
        var x = GradientCheck.RandomTensor(rng, true, rng.Pick(1, 4, 9), rng.Pick(OddSizes));
        for (int i = 0; i < x.Length; i++) x.Values[i] *= 2.5f;
        AssertGradients(new Tanh(), x, rng);
    });

    [Fact]
    public void ReluMatchesFiniteDifferences() => Property.ForAll(rng =>
    {
        var x = GradientCheck.RandomTensor(rng, true, rng.Pick(1, 4, 9), rng.Pick(OddSizes));
        AwayFromZero(x.Values, 0.05f);
        AssertGradients(new Relu(), x, rng);
    });

    [Fact]
    public void Conv2dMatchesFiniteDifferences() => Property.ForAll(rng =>
    {
        int inC = rng.Pick(1, 2, 3), outC = rng.Pick(1, 2, 5), n = rng.Pick(1, 2, 3);
        int hw = rng.Pick(3, 5, 7, 8), k = rng.Pick(1, 3), stride = rng.Pick(1, 2), padding = rng.Pick(0, 1);
        AssertGradients(new Conv2d(inC, outC, k, stride, padding), GradientCheck.RandomTensor(rng, true, n, inC, hw, hw + 1), rng);
    }, runs: 50);

    [Fact]
    public void BatchNorm2dMatchesFiniteDifferences() => Property.ForAll(rng =>
    {
        int c = rng.Pick(1, 2, 3, 5), n = rng.Pick(1, 2, 4), hw = rng.Pick(1, 2, 3, 5);
        if (n * hw * hw < 2) return; // one value per channel normalises to exactly 0: nothing to check
        var x = GradientCheck.RandomTensor(rng, true, n, c, hw, hw);
        if (!SpreadDominatesEpsilon(x)) return;
        AssertGradients(new BatchNorm2d(c, 1e-3f), x, rng, step: 1e-3);
    }, runs: 50);

    /// <summary>
    /// Whether every channel of an NCHW batch has a variance far above batch norm's ε. A channel whose values barely
    /// differ (e.g. two close values) is so curved that central differences with a 1e-3 step miss by ~1 %, so the
    /// batch-norm properties check the regime where the batch's spread dominates ε.
    /// </summary>
    private static bool SpreadDominatesEpsilon(Tensor x)
    {
        int n = x.Dim(0), c = x.Dim(1), plane = x.Dim(2) * x.Dim(3);
        for (int ch = 0; ch < c; ch++)
        {
            var values = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, plane).Select(q => (double)x.Values[(i * c + ch) * plane + q])).ToArray();
            double mean = values.Average();
            if (values.Average(v => (v - mean) * (v - mean)) < 0.05) return false;
        }
        return true;
    }

    [Fact]
    public void MaxPool2dMatchesFiniteDifferences() => Property.ForAll(rng =>
    {
        int c = rng.Pick(1, 2, 3), n = rng.Pick(1, 2), h = rng.Pick(2, 4, 5, 7), w = rng.Pick(2, 3, 5, 6), size = rng.Pick(2, 3);
        bool ceil = rng.Pick(false, true);
        if (h < size || w < size) return;
        var x = Tensor.Zeros(true, n, c, h, w);
        // Distinct values 0.05 apart: no ties, no argmax change within the finite-difference step.
        var v = x.Values;
        for (int i = 0; i < v.Length; i++) v[i] = 0.05f * i;
        rng.Shuffle(v);
        // Odd sizes in ceil mode put partial windows on the bottom and right edges.
        AssertGradients(new MaxPool2d(size, ceilMode: ceil), x, rng);
    }, runs: 50);

    [Fact]
    public void FlattenOfChannelMajorKeepsPyTorchOrderAndGradients()
    {
        var rng = new Rng(7);
        // Conv output is channel-major; Flatten must give PyTorch's [N, C·H·W] order.
        var x = GradientCheck.RandomTensor(rng, true, 3, 2, 4, 5);
        var conv = new Conv2d(2, 3, 3, 1, 1);
        var model = new Sequential(conv, new Flatten()).Initialize(rng);
        var failure = GradientCheck.FindMismatch(tape => model.Forward(x, tape), [.. model.NamedParameters.Select(p => p.Tensor), x], rng);
        Assert.Null(failure);

        var y = model.Forward(x);
        var reference = NaiveConv(x, model.GetParameter("0.weight").Tensor, model.GetParameter("0.bias").Tensor, 1, 1);
        Assert.Equal(new[] { 3, 3 * 4 * 5 }, y.Shape.ToArray());
        for (int i = 0; i < reference.Length; i++) Assert.Equal(reference[i], y.Values[i], 4);
    }

    [Fact]
    public void BatchNormFollowedByReluMatchesFiniteDifferences()
    {
        int checkedRuns = 0;
        Property.ForAll(rng =>
        {
            // Sequential runs this pair as one fused op.
            int channels = rng.Pick(1, 2, 3);
            var model = new Sequential(new BatchNorm2d(channels), new Relu()).Initialize(rng);
            Assert.True(model.FuseBatchNormRelu);
            foreach (var p in model.NamedParameters)
                for (int i = 0; i < p.Length; i++) p.Tensor.Values[i] = (float)rng.Uniform(0.5, 1.5) * (p.Name.EndsWith("bias") ? 0.3f : 1f);
            var x = GradientCheck.RandomTensor(rng, true, rng.Pick(2, 3), channels, rng.Pick(1, 2, 3), rng.Pick(1, 3));
            if (!SpreadDominatesEpsilon(x)) return;
            // Differences across the relu's kink mean nothing: keep the normalised values away from it.
            var normalised = new Sequential(new BatchNorm2d(channels));
            model.Parameters.CopyTo(normalised.Parameters, 0);
            var pre = normalised.Forward(x).Values.ToArray();
            if (pre.Any(v => MathF.Abs(v) < 0.02f)) return;
            checkedRuns++;
            var failure = GradientCheck.FindMismatch(tape => model.Forward(x, tape), [.. model.NamedParameters.Select(p => p.Tensor), x], rng, new GradientCheckSettings(Step: 1e-3));
            Assert.True(failure == null, $"BatchNorm2d+ReLU on {x}: {failure}");
        }, runs: 60);
        Assert.True(checkedRuns >= 10, $"only {checkedRuns} of 60 draws had a spread far above ε and values away from the relu's kink");
    }

    [Fact]
    public void FusedBatchNormReluGivesTheLayersValuesExactly()
    {
        var rng = new Rng(5);
        var input = GradientCheck.RandomTensor(rng, false, 6, 1, 28, 28);
        var labels = Enumerable.Range(0, 6).Select(i => i % 5).ToArray();
        (float[] Output, float[] Gradients) Run(bool fuse)
        {
            var model = Models.Omniglot(5).Initialize(new Rng(3));
            model.FuseBatchNormRelu = fuse;
            var tape = new Reptile.Autograd.Tape();
            var logits = model.Forward(input, tape);
            var output = logits.Values.ToArray();
            var loss = new Objectives.CrossEntropyLoss { Labels = labels }.Forward(logits, tape);
            tape.Backward(loss);
            return (output, model.Gradients.ToArray());
        }
        var fused = Run(true);
        var separate = Run(false);
        Assert.Equal(separate.Output, fused.Output);
        Assert.Equal(separate.Gradients, fused.Gradients);
    }

    /// <summary>
    /// The position-major route (a direct convolution's output, read in place by the next convolution and by batch
    /// norm over rows, the relu fused) against finite differences: a 32-channel input through batch norm, batch norm
    /// with relu, a convolution to 32 channels and a max pool, each with its input's gradient. Only on the 512-bit path, where
    /// convolutions produce such inputs.
    /// </summary>
    [Fact]
    public void PositionMajorLayersMatchFiniteDifferences()
    {
        if (!Conv2dOp.TakesRows(32, 32)) return; // no 512-bit path: no position-major activations
        var checkedRuns = new int[4];
        Property.ForAll(rng => CheckPositionMajorLayer(rng, checkedRuns), runs: 60);
        Assert.True(checkedRuns.All(c => c >= 3), $"checked runs per layer: {string.Join(", ", checkedRuns)}");
    }

    private static void CheckPositionMajorLayer(Rng rng, int[] checkedRuns)
    {
        int n = rng.Pick(1, 2), h = rng.Pick(1, 2, 3), w = rng.Pick(2, 3, 4);
        var values = GradientCheck.RandomTensor(rng, true, n, 32, h, w);
        var x = Tensor.Zeros(true, 0, 0, 0, 0);
        x.ReshapeRows([n, 32, h, w], requiresGrad: true);
        x.Layout = TensorLayout.PositionMajor;
        values.Values.CopyTo(x.Values); // any values: the layout only says where each one sits
        int kind = rng.Pick(0, 1, 2, 3);
        var layers = kind switch
        {
            0 => new Sequential(new BatchNorm2d(32, 1e-3f)),
            1 => new Sequential(new BatchNorm2d(32, 1e-3f), new Relu()),
            2 => new Sequential(new Conv2d(32, 32, 3, rng.Pick(1, 2), 1)),
            _ => new Sequential(new MaxPool2d(2, rng.Pick(1, 2), ceilMode: true)),
        };
        if (kind == 3)
        {
            if (h < 2) return; // the window must fit
            // Distinct values 0.05 apart: no ties, no argmax change within the finite-difference step.
            var v = x.Values;
            for (int i = 0; i < v.Length; i++) v[i] = 0.05f * i;
            rng.Shuffle(v);
        }
        var model = layers.Initialize(rng);
        if (kind < 2)
        {
            // Differences of a channel with too little spread mean nothing.
            if (n * h * w < 4 || !SpreadDominatesEpsilon(values)) return;
            // With the relu, each channel lies wholly on one side of its kink, 0.05 away: |xhat| ≤ √(count − 1), so
            // β = ±(γ·√(count − 1) + 0.05) (masked and passed channels in one op).
            var gamma = model.NamedParameters.Single(p => p.Name.EndsWith("weight")).Tensor.Values;
            var beta = model.NamedParameters.Single(p => p.Name.EndsWith("bias")).Tensor.Values;
            float reach = MathF.Sqrt(n * h * w - 1);
            for (int c = 0; c < 32; c++)
            {
                gamma[c] = (float)rng.Uniform(0.5, 1.5);
                beta[c] = kind == 0 ? (float)rng.Uniform(-0.3, 0.3) : rng.Pick(-1f, 1f) * (gamma[c] * reach + 0.05f);
            }
        }
        Assert.Equal(TensorLayout.PositionMajor, model.Forward(x).Layout);
        var failure = GradientCheck.FindMismatch(tape => model.Forward(x, tape), [.. model.NamedParameters.Select(p => p.Tensor), x], rng,
            new GradientCheckSettings(Step: 1e-3));
        Assert.True(failure == null, $"{model.Layers[0]} on {x}: {failure}");
        checkedRuns[kind]++;
    }

    [Fact]
    public void ImagesWithoutGradientsAreNotDifferentiated()
    {
        // Training batches track no gradient: the first convolution must not compute (or record) one for them,
        // and the parameter gradients must be the same as when the images do track one.
        var rng = new Rng(11);
        var tracked = GradientCheck.RandomTensor(rng, true, 3, 2, 6, 5);
        var untracked = Tensor.FromArray(tracked.Values.ToArray(), 3, 2, 6, 5);
        var model = new Sequential(new Conv2d(2, 4, 3, 2, 1), new Flatten()).Initialize(rng);

        float[] ParameterGradients(Tensor input, out int recorded)
        {
            var tape = new Reptile.Autograd.Tape();
            model.ZeroGrad();
            var y = model.Forward(input, tape);
            recorded = tape.Count;
            var loss = new Objectives.MseLoss { Target = Tensor.Zeros(false, y.Shape.ToArray()) }.Forward(y, tape);
            tape.Backward(loss);
            return model.Gradients.ToArray();
        }

        var withInput = ParameterGradients(tracked, out int recordedWith);
        var withoutInput = ParameterGradients(untracked, out int recordedWithout);
        Assert.Equal(recordedWith - 1, recordedWithout);
        Assert.False(untracked.RequiresGrad);
        Assert.Equal(withInput, withoutInput);
    }

    /// <summary>A direct NCHW convolution, the definition, to pin down layout and semantics.</summary>
    internal static float[] NaiveConv(Tensor x, Tensor w, Tensor b, int stride, int padding)
    {
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), wd = x.Dim(3), oc = w.Dim(0), k = w.Dim(2);
        int oh = (h + 2 * padding - k) / stride + 1, ow = (wd + 2 * padding - k) / stride + 1;
        var y = new float[n * oc * oh * ow];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < oc; o++)
                for (int r = 0; r < oh; r++)
                    for (int s = 0; s < ow; s++)
                    {
                        double sum = b.Values[o];
                        for (int ch = 0; ch < c; ch++)
                            for (int p = 0; p < k; p++)
                                for (int q = 0; q < k; q++)
                                {
                                    int yy = r * stride - padding + p, xx = s * stride - padding + q;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    sum += (double)w.Values[((o * c + ch) * k + p) * k + q] * x.Values[((i * c + ch) * h + yy) * wd + xx];
                                }
                        y[((i * oc + o) * oh + r) * ow + s] = (float)sum;
                    }
        return y;
    }

    private static void AwayFromZero(Span<float> v, float margin)
    {
        for (int i = 0; i < v.Length; i++)
            if (MathF.Abs(v[i]) < margin) v[i] += v[i] < 0 ? -margin : margin;
    }
}
