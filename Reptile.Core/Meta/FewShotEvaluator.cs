using Reptile.Data;
using Reptile.Layers;
using Reptile.Optim;
using Reptile.Threading;

namespace Reptile.Meta;

/// <summary>
/// supervised-reptile's evaluate(): sample N classes with shots+1 images each, hold one image per class out,
/// fine-tune from the meta-learned parameters (and the inner optimizer's state, as supervised-reptile
/// restores both around each task) on the rest, then classify the held-out images. Non-transductive: each
/// held-out image is predicted in one batch with all the training images (what batch norm sees);
/// transductive: all held-out images form one batch. Tasks are independent and seeded by index, so they run
/// on any number of threads with the same result.
/// </summary>
public sealed class FewShotEvaluator
{
    /// <summary>N: classes per task (the model's outputs).</summary>
    public int Ways { get; }
    /// <summary>K: labelled training images per class; one more per class is held out and predicted.</summary>
    public int Shots { get; }
    /// <summary>Images per fine-tuning mini-batch.</summary>
    public int BatchSize { get; }
    /// <summary>Fine-tuning steps per task (0: predict with the meta-learned weights as they are).</summary>
    public int Iterations { get; }
    /// <summary>Whether mini-batches draw with replacement (else each epoch goes through every image once).</summary>
    public bool Replacement { get; }
    /// <summary>
    /// Whether the held-out images are predicted together in one batch (batch norm then sees all of them) rather than
    /// each with the training images.
    /// </summary>
    public bool Transductive { get; }
    /// <summary>Factor the parameters are multiplied by before each fine-tuning step (1: no weight decay).</summary>
    public float WeightDecayRate { get; }

    /// <summary>The evaluation protocol of an N-way K-shot run (supervised-reptile's evaluate() arguments).</summary>
    /// <param name="ways">Classes per task, at least 1.</param>
    /// <param name="shots">Training images per class, at least 1.</param>
    /// <param name="batchSize">Fine-tuning batch size, at least 1.</param>
    /// <param name="iterations">Fine-tuning steps, at least 0.</param>
    /// <param name="replacement">Draw batches with replacement.</param>
    /// <param name="transductive">Predict the held-out images together.</param>
    /// <param name="weightDecayRate">Multiplier of the parameters before each step (1: none).</param>
    /// <exception cref="ArgumentException">A value out of those ranges.</exception>
    public FewShotEvaluator(int ways, int shots, int batchSize, int iterations, bool replacement = false, bool transductive = false, float weightDecayRate = 1f)
    {
        if (ways < 1 || shots < 1 || batchSize < 1 || iterations < 0)
            throw new ArgumentException($"Invalid evaluation: {ways}-way {shots}-shot, batch {batchSize}, {iterations} iterations.");
        (Ways, Shots, BatchSize, Iterations, Replacement, Transductive, WeightDecayRate) =
            (ways, shots, batchSize, iterations, replacement, transductive, weightDecayRate);
    }

    /// <summary>Correct predictions (out of Ways) on the task drawn from <paramref name="rng"/>.</summary>
    internal int EvaluateTask(Worker worker, FewShotDataset dataset, Sequential initial, Optimizer initialOptimizer, Rng rng)
    {
        var model = worker.Model;
        var tasks = worker.SamplerFor(dataset, this);
        model.SetParameters(initial.Parameters);
        worker.Optimizer.CopyStateFrom(initialOptimizer);
        worker.InnerLoop.Run(model, worker.Optimizer, tasks, rng);

        var task = tasks.Task;
        var test = tasks.HeldOut;
        var logits = worker.Logits(test.Length * Ways);
        tasks.PredictHeldOut(model, Transductive, logits);
        int correct = 0;
        for (int i = 0; i < test.Length; i++)
            if (ArgMax(logits.Slice(i * Ways, Ways)) == task.Label(test[i])) correct++;
        return correct;
    }

    /// <summary>Accuracy over <paramref name="tasks"/> tasks (task k drawn from the stream <paramref name="seedTask"/>(k,
    /// generator) puts a generator in), with the 95% CI of the per-task accuracy, on <paramref name="threads"/> threads;
    /// with a process <paramref name="group"/>, each process evaluates its block of tasks and the accuracies are
    /// gathered in task order, so every process returns the one-process numbers.</summary>
    /// <param name="dataset">The classes tasks are drawn from.</param>
    /// <param name="initial">The meta-learned parameters every task starts from (left unchanged).</param>
    /// <param name="initialOptimizer">The inner optimizer state every task starts from (left unchanged).</param>
    /// <param name="tasks">Tasks to evaluate.</param>
    /// <param name="seedTask">Puts the given generator in task k's state, e.g. <c>(k, rng) =&gt; rng.Reseed(seed,
    /// (ulong)k)</c> (the stream of <c>Rng.Derive(seed, k)</c>): each thread reseeds one generator of its own, so a task
    /// allocates nothing.</param>
    /// <param name="threads">Threads the tasks are spread over (the result does not depend on it).</param>
    /// <param name="progress">Told the number of tasks done after each task, from the evaluating threads.</param>
    /// <param name="group">The processes sharing the tasks, or null.</param>
    public MeanWithCi Evaluate(FewShotDataset dataset, Sequential initial, Optimizer initialOptimizer, int tasks,
        Action<int, Rng> seedTask, int threads = 1, IProgress<int>? progress = null, IProcessGroup? group = null)
    {
        var accuracy = new double[tasks];
        var (rank, size) = group == null ? (0, 1) : (group.Rank, group.Size);
        int from = ProcessShares.Start(tasks, size, rank), to = ProcessShares.Start(tasks, size, rank + 1);
        int workers = Math.Clamp(threads, 1, Math.Max(1, to - from));
        using (WorkerPool.Use(workers))
            WorkerPool.For(workers, 1, long.MaxValue, new EvaluationWorkers(this, dataset, initial, initialOptimizer, seedTask, accuracy, from, to, progress));
        if (group != null && size > 1)
        {
            var counts = new int[size];
            for (int q = 0; q < size; q++) counts[q] = 8 * (ProcessShares.Start(tasks, size, q + 1) - ProcessShares.Start(tasks, size, q));
            var all = new byte[8 * tasks];
            group.AllGather(System.Runtime.InteropServices.MemoryMarshal.AsBytes(accuracy.AsSpan(from, to - from)), all, counts);
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(all).CopyTo(accuracy);
        }
        return MeanWithCi.Of(accuracy);
    }

    /// <summary>Evaluation workers [from, to), each on its own replica, each taking the next task nobody has taken
    /// (tasks first … end − 1): a core slowed by its neighbours evaluates fewer of them instead of holding the others
    /// back. A task's accuracy does not depend on the worker that evaluates it.</summary>
    private sealed class EvaluationWorkers(FewShotEvaluator evaluator, FewShotDataset dataset, Sequential initial, Optimizer initialOptimizer,
        Action<int, Rng> seedTask, double[] accuracy, int first, int end, IProgress<int>? progress) : IRangeBody
    {
        private int done, next = first;

        public void Run(int from, int to)
        {
            for (int w = from; w < to; w++)
            {
                var worker = new Worker(initial, initialOptimizer);
                for (int k; (k = Interlocked.Increment(ref next) - 1) < end;)
                {
                    seedTask(k, worker.Rng);
                    accuracy[k] = evaluator.EvaluateTask(worker, dataset, initial, initialOptimizer, worker.Rng) / (double)evaluator.Ways;
                    progress?.Report(Interlocked.Increment(ref done));
                }
            }
        }
    }

    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>Everything one evaluating thread owns: a model replica, an optimizer copy, its inner loop, a task
    /// sampler for each dataset it evaluates on and the generator its tasks are drawn from.</summary>
    internal sealed class Worker(Sequential template, Optimizer optimizerTemplate)
    {
        private readonly List<(FewShotDataset Dataset, FewShotEvaluator Evaluator, FewShotTaskSampler Sampler)> samplers = [];

        private float[] logits = [];

        public Sequential Model { get; } = template.Clone();

        internal Span<float> Logits(int count) => (logits.Length >= count ? logits : logits = new float[count]).AsSpan(0, count);
        public Optimizer Optimizer { get; } = optimizerTemplate.Clone();
        internal InnerLoop InnerLoop { get; private set; } = new();
        /// <summary>Reseeded for each task (<see cref="Rng.Reseed"/>) rather than a new generator per task.</summary>
        internal Rng Rng { get; } = new(0);

        /// <summary>Evaluation tasks: shots + 1 images per class, the first held out, Iterations batches from the rest.</summary>
        internal FewShotTaskSampler SamplerFor(FewShotDataset dataset, FewShotEvaluator evaluator)
        {
            if (InnerLoop.WeightDecayRate != evaluator.WeightDecayRate) InnerLoop = new InnerLoop(evaluator.WeightDecayRate);
            foreach (var s in samplers)
                if (ReferenceEquals(s.Dataset, dataset) && ReferenceEquals(s.Evaluator, evaluator)) return s.Sampler;
            var sampler = new FewShotTaskSampler(dataset, evaluator.Ways, evaluator.Shots + 1, evaluator.BatchSize, evaluator.Iterations,
                evaluator.Replacement, heldOutPerClass: 1);
            if (samplers.Count == 4) samplers.RemoveAt(0);
            samplers.Add((dataset, evaluator, sampler));
            return sampler;
        }
    }
}
