using Reptile.Layers;
using Reptile.Objectives;
using Reptile.Tests.Support;

namespace Reptile.Tests.Reference;

public class ReferenceTests
{
    [SharedDataFact]
    public void SineMlpMatchesPyTorch()
    {
        using var reference = new PyTorchReference("sine_mlp_reference.npz");
        var model = Models.SineMlp();
        reference.CheckGradients(model, new MseLoss { Target = reference.Input("y") }, reference.Input("x"));
        reference.CheckMetaIteration(model, (_, s) => (reference.Input($"sx{s}"), new MseLoss { Target = reference.Input($"sy{s}") }), tasks: 1, steps: 5);
    }

    [SharedDataFact]
    public void OmniglotConvNetMatchesPyTorch()
    {
        using var reference = new PyTorchReference("omniglot_conv_reference.npz");
        var model = Models.Omniglot(5);
        var zeroGradients = new HashSet<string> { "0.bias", "3.bias", "6.bias", "9.bias" };
        reference.CheckGradients(model, new CrossEntropyLoss { Labels = reference.Labels("y") }, reference.Input("x"), zeroGradients);
        reference.CheckMetaIteration(model,
            (t, s) => (reference.Input($"task{t}_x{s}"), new CrossEntropyLoss { Labels = reference.Labels($"task{t}_y{s}") }), tasks: 2, steps: 3);
    }

    /// <summary>
    /// The Mini-ImageNet model (ceil-mode pooling, 1152 features) against PyTorch: logits, loss, and one meta-iteration,
    /// whose update r − p (two SGD steps on each of two tasks) is compared on its own to 1e-4, so every layer's
    /// gradients are checked through it. The file's <c>g.*</c> arrays are not compared: they contradict the file's own
    /// logits (g.17.bias must be mean(softmax(logits) − onehot(y)) and is not; see the second test), while the
    /// meta-iteration built from the same model agrees.
    /// </summary>
    [SharedDataFact]
    public void MiniImageNetConvNetMatchesPyTorch()
    {
        using var reference = new PyTorchReference("miniimagenet_conv_reference.npz");
        var model = Models.MiniImageNet(5);
        Assert.Equal(new[] { 5, 1152 }, model.GetParameter("17.weight").Tensor.Shape.ToArray());
        reference.CheckForwardAndBackward(model, new CrossEntropyLoss { Labels = reference.Labels("y") }, reference.Input("x"));
        reference.CheckMetaIteration(model,
            (t, s) => (reference.Input($"task{t}_x{s}"), new CrossEntropyLoss { Labels = reference.Labels($"task{t}_y{s}") }),
            tasks: 2, steps: 2, checkUpdate: true);
    }

    [SharedDataFact]
    public void MiniImageNetOutputBiasGradientFollowsFromTheReferenceLogits()
    {
        using var reference = new PyTorchReference("miniimagenet_conv_reference.npz");
        var model = Models.MiniImageNet(5);
        reference.CheckForwardAndBackward(model, new CrossEntropyLoss { Labels = reference.Labels("y") }, reference.Input("x"));
        // d mean CE / d bias, in double from PyTorch's logits alone.
        var logits = reference.Floats("logits");
        var labels = reference.Labels("y");
        var expected = new float[5];
        for (int i = 0; i < labels.Length; i++)
        {
            var row = Enumerable.Range(0, 5).Select(j => (double)logits[i * 5 + j]).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            for (int j = 0; j < 5; j++) expected[j] += (float)((Math.Exp(row[j] - max) / sum - (j == labels[i] ? 1 : 0)) / labels.Length);
        }
        var bias = model.GetParameter("17.bias");
        PyTorchReference.AssertClose("g.17.bias from the logits", model.Gradients.AsSpan(bias.Offset, bias.Length), expected);
        Assert.True(PyTorchReference.RelativeError(reference.Floats("g.17.bias"), expected) > 0.1,
            "the reference's g.17.bias now agrees with its logits: compare every g.* in MiniImageNetConvNetMatchesPyTorch");
    }
}
