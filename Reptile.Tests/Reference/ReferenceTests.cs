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
}
