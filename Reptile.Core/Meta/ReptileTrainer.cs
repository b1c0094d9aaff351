using Reptile.Kernels;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// Reptile's outer loop (supervised-reptile's train_step). φ lives in <see cref="Model"/>'s flat parameter buffer.
/// Each meta-iteration, every task of the meta-batch starts from φ, adapts (the inner loop) and leaves its weights
/// W_t; then one fused pass moves φ ← φ + ε (mean W_t − φ). Each task's randomness comes from (seed, iteration,
/// task), so results do not depend on scheduling, and a resumed run only needs the iteration number.
/// The inner optimizer's state flows between tasks as <see cref="ReptileOptions.InnerState"/> says.
/// </summary>
public sealed class ReptileTrainer
{
    private readonly IMetaBatchScheduler scheduler;
    private readonly MetaBatch batch;

    /// <summary>The model whose parameters are φ, updated in place by each meta-iteration.</summary>
    public Sequential Model { get; }
    /// <summary>The inner optimizer whose state persists across tasks (and is checkpointed).</summary>
    public Optimizer InnerOptimizer { get; }
    /// <summary>The outer loop's settings.</summary>
    public ReptileOptions Options { get; }

    /// <summary>Meta-iterations completed so far.</summary>
    public int Iteration { get; set; }

    /// <param name="model">φ: trained in place.</param>
    /// <param name="innerOptimizer">The inner loop's optimizer (its state is part of the run).</param>
    /// <param name="tasks">Where tasks come from; cloned for each worker.</param>
    /// <param name="options">The outer loop's settings.</param>
    /// <param name="scheduler">Where the tasks run; by default in order with <see cref="ReptileOptions.Threads"/>
    /// splitting the products (chained state), or on that many threads (averaged state).</param>
    public ReptileTrainer(Sequential model, Optimizer innerOptimizer, ITaskSampler tasks, ReptileOptions options, IMetaBatchScheduler? scheduler = null)
    {
        options.Validate();
        (Model, InnerOptimizer, Options) = (model, innerOptimizer, options);
        this.scheduler = scheduler ?? DefaultScheduler(options);
        batch = new MetaBatch(model, innerOptimizer, tasks, options, this.scheduler.Workers);
    }

    private static IMetaBatchScheduler DefaultScheduler(ReptileOptions options) =>
        options.InnerState == InnerStateMode.Averaged && options.Threads > 1 && options.MetaBatch > 1
            ? new ThreadedScheduler(options.Threads, options.MetaBatch)
            : new InOrderScheduler(options.Threads);

    /// <summary>Runs one meta-iteration and returns the mean inner-loop training loss.</summary>
    public float Step()
    {
        int iteration = Iteration;
        batch.Iteration = iteration;
        scheduler.Run(batch);                                    // every task: φ → inner loop → W_t
        if (batch.TasksAreIndependent) batch.AverageStatesInto(InnerOptimizer);
        float loss = batch.MeanLoss();
        if (!float.IsFinite(loss)) throw new TrainingDivergedException(iteration, loss);
        if (!MetaUpdate.Interpolate(Model.Parameters, batch.Weights, Options.MetaStepAt(iteration))) // φ ← φ + ε (mean W_t − φ)
            throw new TrainingDivergedException(iteration, loss, parametersFinite: false);
        Iteration = iteration + 1;
        return loss;
    }
}
