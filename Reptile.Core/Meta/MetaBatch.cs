using System.Numerics.Tensors;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// The tasks of one meta-iteration and their results: each task's adapted weights W_t, mean training loss and,
/// when tasks are independent, its final inner-optimizer state. A scheduler calls <see cref="RunTask"/> for every
/// task (on the worker replica it chooses) or fills a task's results from another process.
/// </summary>
public sealed class MetaBatch
{
    private readonly Sequential phi;
    private readonly Optimizer sharedOptimizer;
    private readonly Replica[] replicas;
    private readonly ReptileOptions options;

    /// <summary>The meta-iteration these tasks belong to.</summary>
    public int Iteration { get; internal set; }
    /// <summary>Tasks in the meta-batch.</summary>
    public int Count => Weights.Length;
    /// <summary>True when tasks may run in any order or at once: each starts from the shared inner-optimizer state
    /// (<see cref="InnerStateMode.Averaged"/>); false when each continues the previous task's state (Chained).</summary>
    public bool TasksAreIndependent => options.InnerState == InnerStateMode.Averaged;
    /// <summary>W_t for each task t (with first-order MAML: φ plus task t's last step).</summary>
    public float[][] Weights { get; }
    /// <summary>Each task's mean inner training loss.</summary>
    public float[] Losses { get; }
    /// <summary>Each task's final inner-optimizer state (independent tasks only; empty otherwise).</summary>
    public IReadOnlyList<Optimizer> States { get; }

    internal MetaBatch(Sequential phi, Optimizer sharedOptimizer, ITaskSampler tasks, ReptileOptions options, int workers)
    {
        (this.phi, this.sharedOptimizer, this.options) = (phi, sharedOptimizer, options);
        replicas = new Replica[workers];
        for (int w = 0; w < workers; w++)
            replicas[w] = new Replica(phi.Clone(), w == 0 ? tasks : tasks.Clone(), new InnerLoop(options.WeightDecayRate),
                options.FirstOrderMaml ? phi.ParameterCount : 0);
        Weights = Enumerable.Range(0, options.MetaBatch).Select(_ => new float[phi.ParameterCount]).ToArray();
        Losses = new float[options.MetaBatch];
        States = TasksAreIndependent ? Enumerable.Range(0, options.MetaBatch).Select(_ => sharedOptimizer.Clone()).ToArray() : [];
    }

    /// <summary>Runs task <paramref name="task"/> on worker replica <paramref name="worker"/>: φ → inner loop → W_t.
    /// A replica runs one task at a time; chained tasks must run in order on one replica.</summary>
    public void RunTask(int worker, int task)
    {
        var r = replicas[worker];
        var optimizer = sharedOptimizer;
        if (TasksAreIndependent)
        {
            optimizer = States[task];
            optimizer.CopyStateFrom(sharedOptimizer);
        }
        r.Model.SetParameters(phi.Parameters);
        r.Rng.Reseed(options.Seed, (ulong)Iteration, (ulong)task);
        Losses[task] = r.InnerLoop.Run(r.Model, optimizer, r.Tasks, r.Rng, r.BeforeLastStep);
        var w = Weights[task];
        if (options.FirstOrderMaml)
        {
            // φ + (W − W_before_last): averaging these moves φ by the mean last step.
            TensorPrimitives.Subtract(r.Model.Parameters, r.BeforeLastStep, w);
            TensorPrimitives.Add(w, phi.Parameters, w);
        }
        else
        {
            r.Model.Parameters.CopyTo(w, 0);
        }
    }

    /// <summary>The mean of the tasks' losses, in task order.</summary>
    internal float MeanLoss()
    {
        float loss = 0;
        foreach (var l in Losses) loss += l;
        return loss / Losses.Length;
    }

    /// <summary>The shared state becomes the mean of the tasks' final states (in task order: deterministic).</summary>
    internal void AverageStatesInto(Optimizer shared)
    {
        var target = shared.LiveState;
        float scale = 1f / States.Count;
        for (int k = 0; k < target.Count; k++)
        {
            var values = target[k].Values.AsSpan();
            States[0].LiveState[k].Values.CopyTo(values);
            for (int t = 1; t < States.Count; t++) TensorPrimitives.Add(values, States[t].LiveState[k].Values, values);
            TensorPrimitives.Multiply(values, scale, values);
        }
        shared.StepCount = States[0].StepCount;
    }

    /// <summary>What one worker owns: a model replica, its task sampler, inner loop and random stream.</summary>
    private sealed record Replica(Sequential Model, ITaskSampler Tasks, InnerLoop InnerLoop, int SnapshotLength)
    {
        public Rng Rng { get; } = new(0);
        public float[] BeforeLastStep { get; } = new float[SnapshotLength];
    }
}
