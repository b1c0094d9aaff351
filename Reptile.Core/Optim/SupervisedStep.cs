using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Objectives;

namespace Reptile.Optim;

/// <summary>One inner training step: optional weight decay (supervised-reptile's pre-step op multiplies the
/// parameters by the rate), forward, backward, optimizer update. Returns the loss before the update.</summary>
public static class SupervisedStep
{
    public static float Run(Sequential model, Optimizer optimizer, Tape tape, Tensor input, Loss loss, float weightDecayRate = 1f)
    {
        if (weightDecayRate != 1f) Kernels.Optimizers.Scale(model.Parameters, weightDecayRate);
        model.ZeroGrad();
        var value = loss.Forward(model.Forward(input, tape), tape);
        float result = value.Values[0];
        tape.Backward(value);
        optimizer.Step(model.Parameters, model.Gradients);
        return result;
    }
}
