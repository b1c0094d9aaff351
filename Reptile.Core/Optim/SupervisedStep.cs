using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Objectives;

namespace Reptile.Optim;

/// <summary>One inner training step: optional weight decay (supervised-reptile's pre-step op multiplies the
/// parameters by the rate), forward, backward, optimizer update. Returns the loss before the update.</summary>
public static class SupervisedStep
{
    /// <summary>Runs one step of training on one batch and returns its loss (before the update).</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="optimizer">Applies the gradients.</param>
    /// <param name="tape">A tape, reused across steps (emptied by the step).</param>
    /// <param name="input">The batch, [N, …] as the model's first layer expects.</param>
    /// <param name="loss">The objective, its targets or labels already set for this batch.</param>
    /// <param name="weightDecayRate">Factor the parameters are multiplied by before the step (1: none;
    /// supervised-reptile's weight decay).</param>
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
