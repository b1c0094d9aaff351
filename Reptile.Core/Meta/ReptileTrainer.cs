using Reptile.Autograd;
using Reptile.Kernels;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// Reptile's outer loop. φ lives in <see cref="Model"/>'s flat parameter buffer. Each meta-iteration, every task
/// of the meta-batch starts from φ on a worker replica, adapts (the inner loop), and leaves its weights W_i;
/// then one fused pass moves φ ← φ + ε (mean W_i − φ). Each task's randomness comes from (seed, iteration,
/// task), so results do not depend on scheduling, and a resumed run only needs the iteration number.
/// As in supervised-reptile, the inner optimizer's state is carried from task to task.
/// </summary>
public sealed class ReptileTrainer
{
    private readonly Sequential worker;
    private readonly IInnerLoop innerLoop;
    private readonly Tape tape = new();
    private readonly float[][] taskWeights;
    private readonly float[] beforeLastStep;

    public Sequential Model { get; }
    public Optimizer InnerOptimizer { get; }
    public ReptileOptions Options { get; }

    /// <summary>Meta-iterations completed so far.</summary>
    public int Iteration { get; set; }

    public ReptileTrainer(Sequential model, Optimizer innerOptimizer, IInnerLoop innerLoop, ReptileOptions options)
    {
        options.Validate();
        (Model, InnerOptimizer, this.innerLoop, Options) = (model, innerOptimizer, innerLoop, options);
        worker = model.Clone();
        taskWeights = Enumerable.Range(0, options.MetaBatch).Select(_ => new float[model.ParameterCount]).ToArray();
        beforeLastStep = options.FirstOrderMaml ? new float[model.ParameterCount] : [];
    }

    /// <summary>Runs one meta-iteration and returns the mean inner-loop training loss.</summary>
    public float Step()
    {
        int iteration = Iteration;
        var phi = Model.Parameters;
        float lossSum = 0;
        for (int t = 0; t < Options.MetaBatch; t++)
        {
            worker.SetParameters(phi);
            var rng = Rng.Derive(Options.Seed, (ulong)iteration, (ulong)t);
            lossSum += innerLoop.Adapt(worker, InnerOptimizer, tape, rng, beforeLastStep);
            var w = taskWeights[t];
            if (Options.FirstOrderMaml)
            {
                // φ + (W − W_before_last): averaging these moves φ by the mean last step.
                System.Numerics.Tensors.TensorPrimitives.Subtract(worker.Parameters, beforeLastStep, w);
                System.Numerics.Tensors.TensorPrimitives.Add(w, phi, w);
            }
            else
            {
                worker.Parameters.CopyTo(w, 0);
            }
        }
        float loss = lossSum / Options.MetaBatch;
        if (!float.IsFinite(loss)) throw new TrainingDivergedException(iteration, loss);
        MetaUpdate.Interpolate(phi, taskWeights, Options.MetaStepAt(iteration));
        Iteration = iteration + 1;
        return loss;
    }
}
