using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// Reptile's inner loop, for every kind of task: draw a task, take one optimizer step per batch it yields
/// (supervised-reptile's loop over _mini_batches), and, for first-order MAML, keep the parameters as they were
/// before the last step. One per worker: it owns the tape.
/// </summary>
internal sealed class InnerLoop(float weightDecayRate = 1f)
{
    private readonly Tape tape = new();

    /// <summary>Parameters are multiplied by this rate before each step (supervised-reptile's weight decay).</summary>
    public float WeightDecayRate { get; } = weightDecayRate;

    /// <summary>Samples a task and trains <paramref name="model"/> on it in place; when <paramref name="beforeLastStep"/>
    /// is not empty, the parameters just before the last step are copied into it. Returns the mean training loss.</summary>
    public float Run(Sequential model, Optimizer optimizer, ITaskSampler tasks, Rng rng, Span<float> beforeLastStep = default)
    {
        int steps = tasks.Sample(rng);
        float lossSum = 0;
        for (int step = 0; step < steps; step++)
        {
            var batch = tasks.Batch(step, rng);
            if (step == steps - 1 && !beforeLastStep.IsEmpty) model.Parameters.CopyTo(beforeLastStep);
            lossSum += SupervisedStep.Run(model, optimizer, tape, batch.Inputs, batch.Loss, WeightDecayRate);
        }
        return steps == 0 ? 0 : lossSum / steps;
    }
}
