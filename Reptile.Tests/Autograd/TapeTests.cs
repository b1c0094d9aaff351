using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Tests.Support;

namespace Reptile.Tests.Autograd;

public class TapeTests
{
    [Fact]
    public void RecordingTheSameOpTwiceInOneStepIsRefused()
    {
        var dense = new Linear(3, 3);
        var model = new Sequential(dense).Initialize(new Rng(1));
        var x = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        var tape = new Tape();
        model.Forward(x, tape);
        Throws.Naming<InvalidOperationException>("already on the tape", () => dense.Forward(x, tape));
        Assert.Equal(1, tape.Count);
    }

    [Fact]
    public void TheSameOpMayBeRecordedAgainAfterBackward()
    {
        var model = new Sequential(new Linear(3, 1)).Initialize(new Rng(1));
        var x = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        var tape = new Tape();
        for (int step = 0; step < 2; step++)
        {
            model.ZeroGrad();
            var y = model.Forward(x, tape);
            tape.Backward(y);
            Assert.Equal(0, tape.Count);
            Assert.Equal([1f, 2f, 3f], model.Gradients[..3]); // dy/dW = x
        }
    }
}
