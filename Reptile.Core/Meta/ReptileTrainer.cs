using System.Numerics.Tensors;
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
/// The inner optimizer's state flows between tasks as <see cref="ReptileOptions.InnerState"/> says.
/// </summary>
public sealed class ReptileTrainer
{
    private readonly Worker[] workers;
    private readonly float[][] taskWeights;
    private readonly Optimizer[] taskStates;
    private readonly float[] taskLosses;
    private readonly ParallelOptions parallelOptions;

    public Sequential Model { get; }
    /// <summary>The inner optimizer whose state persists across tasks (and is checkpointed).</summary>
    public Optimizer InnerOptimizer { get; }
    public ReptileOptions Options { get; }

    /// <summary>Meta-iterations completed so far.</summary>
    public int Iteration { get; set; }

    public ReptileTrainer(Sequential model, Optimizer innerOptimizer, IInnerLoop innerLoop, ReptileOptions options)
    {
        options.Validate();
        (Model, InnerOptimizer, Options) = (model, innerOptimizer, options);
        bool parallel = options.InnerState == InnerStateMode.Averaged;
        int workerCount = parallel ? Math.Min(options.Threads, options.MetaBatch) : 1;
        workers = new Worker[workerCount];
        for (int w = 0; w < workerCount; w++)
            workers[w] = new Worker(model.Clone(), w == 0 ? innerLoop : innerLoop.Clone(), options.FirstOrderMaml ? model.ParameterCount : 0);
        taskWeights = Enumerable.Range(0, options.MetaBatch).Select(_ => new float[model.ParameterCount]).ToArray();
        taskStates = parallel ? Enumerable.Range(0, options.MetaBatch).Select(_ => innerOptimizer.Clone()).ToArray() : [];
        taskLosses = new float[options.MetaBatch];
        parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = workerCount };
    }

    /// <summary>Runs one meta-iteration and returns the mean inner-loop training loss.</summary>
    public float Step()
    {
        int iteration = Iteration;
        if (Options.InnerState == InnerStateMode.Chained)
        {
            // Chained tasks run one after another; extra threads split their large products instead.
            using var split = IntraOpParallelism.Use(Options.Threads);
            for (int t = 0; t < Options.MetaBatch; t++) RunTask(workers[0], InnerOptimizer, iteration, t);
        }
        else if (workers.Length == 1)
        {
            for (int t = 0; t < Options.MetaBatch; t++) RunAveragedTask(workers[0], iteration, t);
        }
        else
        {
            RunInParallel(iteration);
        }
        if (Options.InnerState == InnerStateMode.Averaged) AverageStates();

        float loss = 0;
        foreach (var l in taskLosses) loss += l;
        loss /= Options.MetaBatch;
        if (!float.IsFinite(loss)) throw new TrainingDivergedException(iteration, loss);
        MetaUpdate.Interpolate(Model.Parameters, taskWeights, Options.MetaStepAt(iteration));
        Iteration = iteration + 1;
        return loss;
    }

    /// <summary>A fixed task-to-worker assignment; any assignment gives the same numbers. When one task is left
    /// over (5 tasks on 2 workers), it runs last on its own with the products split across the threads, instead
    /// of keeping the other workers idle for a whole task. (A method of its own: the lambda's closure would
    /// otherwise be allocated on every Step, parallel or not.)</summary>
    private void RunInParallel(int iteration)
    {
        int shared = Options.MetaBatch % workers.Length == 1 ? Options.MetaBatch - 1 : Options.MetaBatch;
        Parallel.For(0, workers.Length, parallelOptions, w =>
        {
            for (int t = w; t < shared; t += workers.Length) RunAveragedTask(workers[w], iteration, t);
        });
        if (shared == Options.MetaBatch) return;
        using var split = IntraOpParallelism.Use(Options.Threads);
        RunAveragedTask(workers[0], iteration, shared);
    }

    private void RunAveragedTask(Worker worker, int iteration, int task)
    {
        var state = taskStates[task];
        state.CopyStateFrom(InnerOptimizer);
        RunTask(worker, state, iteration, task);
    }

    private void RunTask(Worker worker, Optimizer optimizer, int iteration, int task)
    {
        var phi = Model.Parameters;
        var model = worker.Model;
        model.SetParameters(phi);
        worker.Rng.Reseed(Options.Seed, (ulong)iteration, (ulong)task);
        taskLosses[task] = worker.InnerLoop.Adapt(model, optimizer, worker.Tape, worker.Rng, worker.BeforeLastStep);
        var w = taskWeights[task];
        if (Options.FirstOrderMaml)
        {
            // φ + (W − W_before_last): averaging these moves φ by the mean last step.
            TensorPrimitives.Subtract(model.Parameters, worker.BeforeLastStep, w);
            TensorPrimitives.Add(w, phi, w);
        }
        else
        {
            model.Parameters.CopyTo(w, 0);
        }
    }

    /// <summary>The shared state becomes the mean of the tasks' final states (in task order: deterministic).</summary>
    private void AverageStates()
    {
        var shared = InnerOptimizer.State;
        float scale = 1f / taskStates.Length;
        for (int k = 0; k < shared.Count; k++)
        {
            var target = shared[k].Values.AsSpan();
            taskStates[0].State[k].Values.CopyTo(target);
            for (int t = 1; t < taskStates.Length; t++) TensorPrimitives.Add(target, taskStates[t].State[k].Values, target);
            TensorPrimitives.Multiply(target, scale, target);
        }
        InnerOptimizer.StepCount = taskStates[0].StepCount;
    }

    private sealed class Worker(Sequential model, IInnerLoop innerLoop, int snapshotLength)
    {
        public Sequential Model { get; } = model;
        public IInnerLoop InnerLoop { get; } = innerLoop;
        public Tape Tape { get; } = new();
        public Rng Rng { get; } = new(0);
        public float[] BeforeLastStep { get; } = new float[snapshotLength];
    }
}
