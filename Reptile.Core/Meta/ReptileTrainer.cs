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

    /// <summary>
    /// A fixed task-to-worker assignment (worker w runs tasks w, w + W, …); any assignment gives the same
    /// numbers. Worker 0 is the calling thread, the others run on this thread's dedicated task threads, so a
    /// meta-iteration allocates nothing. When one task is left over (5 tasks on 2 workers), it runs last on its
    /// own with the products split across the threads, instead of keeping the other workers idle for a whole task.
    /// </summary>
    private void RunInParallel(int iteration)
    {
        parallelIteration = iteration;
        parallelShared = Options.MetaBatch % workers.Length == 1 ? Options.MetaBatch - 1 : Options.MetaBatch;
        var threads = TaskThreads(workers.Length - 1);
        for (int w = 1; w < workers.Length; w++) threads[w - 1].Start(new TaskSlot(this, w));
        Exception? failure = null;
        try { RunWorker(0); }
        catch (Exception e) { failure = e; }
        // Every task thread reads this trainer's buffers: wait for all of them, even after a failure.
        for (int w = 1; w < workers.Length; w++)
        {
            try { threads[w - 1].Wait(); }
            catch (AggregateException e) { failure ??= e.InnerException ?? e; }
        }
        if (failure != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        if (parallelShared == Options.MetaBatch) return;
        using var split = IntraOpParallelism.Use(Options.Threads);
        RunAveragedTask(workers[0], iteration, parallelShared);
    }

    private int parallelIteration, parallelShared;

    private void RunWorker(int w)
    {
        for (int t = w; t < parallelShared; t += workers.Length) RunAveragedTask(workers[w], parallelIteration, t);
    }

    /// <summary>Worker w's share of a parallel meta-iteration, as a task thread runs it.</summary>
    private readonly struct TaskSlot(ReptileTrainer trainer, int worker) : IWorkItem
    {
        public void Run() => trainer.RunWorker(worker);
    }

    /// <summary>This thread's task threads (kept blocked between meta-iterations, shared by its trainers).</summary>
    [ThreadStatic] private static WorkerThread<TaskSlot>[]? taskThreads;

    private static WorkerThread<TaskSlot>[] TaskThreads(int count)
    {
        var threads = taskThreads ?? [];
        if (threads.Length < count)
        {
            int have = threads.Length;
            Array.Resize(ref threads, count);
            for (int i = have; i < count; i++) threads[i] = new WorkerThread<TaskSlot>("Reptile task worker " + (i + 1));
            taskThreads = threads;
        }
        return threads;
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
