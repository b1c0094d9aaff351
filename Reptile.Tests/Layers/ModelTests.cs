using Reptile.Autograd;
using Reptile.Layers;

namespace Reptile.Tests.Layers;

public class ModelTests
{
    [Fact]
    public void OmniglotModelHasPyTorchNamesAndShapes()
    {
        var model = Models.Omniglot(5).Initialize(new Rng(1));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "4.weight", "4.bias", "6.weight", "6.bias",
                      "7.weight", "7.bias", "9.weight", "9.bias", "10.weight", "10.bias", "13.weight", "13.bias"],
            model.NamedParameters.Select(p => p.Name));
        Assert.Equal(new[] { 5, 256 }, model.GetParameter("13.weight").Tensor.Shape.ToArray());
        Assert.Equal(new[] { 3, 5 }, model.Forward(Tensor.Zeros(false, 3, 1, 28, 28)).Shape.ToArray());
    }

    [Fact]
    public void MiniImageNetModelMapsRgb84ToLogits()
    {
        var model = Models.MiniImageNet(5).Initialize(new Rng(1));
        // 84 → 42 → 21 → 11 → 6 after four 2×2 pools in ceil mode (TensorFlow's 'same'): 32·6·6 features.
        Assert.Equal(new[] { 5, 1152 }, model.GetParameter("17.weight").Tensor.Shape.ToArray());
        var x = Tensor.Zeros(false, 2, 3, 84, 84);
        var rng = new Rng(2);
        for (int i = 0; i < x.Length; i++) x.Values[i] = rng.NextFloat();
        var y = model.Forward(x);
        Assert.Equal(new[] { 2, 5 }, y.Shape.ToArray());
        Assert.All(y.Values.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void InitialisationFollowsPyTorchBounds()
    {
        var model = Models.Omniglot(5).Initialize(new Rng(3));
        float convBound = 1f / MathF.Sqrt(64 * 9), denseBound = 1f / MathF.Sqrt(256);
        Assert.All(model.GetParameter("3.weight").Tensor.Values.ToArray(), v => Assert.InRange(MathF.Abs(v), 0, convBound));
        Assert.All(model.GetParameter("13.weight").Tensor.Values.ToArray(), v => Assert.InRange(MathF.Abs(v), 0, denseBound));
        Assert.All(model.GetParameter("1.weight").Tensor.Values.ToArray(), v => Assert.Equal(1f, v));
        Assert.True(model.GetParameter("3.weight").Tensor.Values.ToArray().Max() > 0.9f * convBound);
    }
}
