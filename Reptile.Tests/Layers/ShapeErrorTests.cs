using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Objectives;
using Reptile.Tests.Support;

namespace Reptile.Tests.Layers;

public class ShapeErrorTests
{
    [Fact]
    public void DenseNamesTheExpectedAndActualShapes()
    {
        var model = new Sequential(new Linear(3, 2)).Initialize(new Rng(1));
        var e = Throws.Naming<ArgumentException>("[N, 3]", () => model.Forward(Tensor.Zeros(false, 4, 5)));
        Assert.Contains("[4, 5]", e.Message);
    }

    [Fact]
    public void Conv2dNamesTheChannelMismatch()
    {
        var model = new Sequential(new Conv2d(3, 4, 3)).Initialize(new Rng(1));
        Throws.Naming<ArgumentException>("[2, 1, 5, 5]", () => model.Forward(Tensor.Zeros(false, 2, 1, 5, 5)));
    }

    [Fact]
    public void KernelLargerThanInputIsRejected()
    {
        var model = new Sequential(new Conv2d(1, 1, 5)).Initialize(new Rng(1));
        Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(false, 1, 1, 3, 3)));
    }

    [Fact]
    public void MseTargetOfAnotherSizeIsRejected()
    {
        var loss = new MseLoss { Target = Tensor.Zeros(false, 3, 1) };
        Throws.Naming<ArgumentException>("[4, 1]", () => loss.Forward(Tensor.Zeros(false, 4, 1), null));
    }

    [Fact]
    public void CrossEntropyLabelOutOfRangeIsRejected()
    {
        var loss = new CrossEntropyLoss { Labels = [0, 7] };
        Assert.ThrowsAny<ArgumentException>(() => loss.Forward(Tensor.Zeros(false, 2, 3), new Tape()));
    }

    [Fact]
    public void FromArrayChecksTheSize()
    {
        Throws.Naming<ArgumentException>("[2, 3]", () => Tensor.FromArray(new float[5], 2, 3));
    }
}
