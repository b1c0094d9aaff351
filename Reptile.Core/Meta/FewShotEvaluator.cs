using Reptile.Autograd;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Optim;

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
    public int Ways { get; }
    public int Shots { get; }
    public int BatchSize { get; }
    public int Iterations { get; }
    public bool Replacement { get; }
    public bool Transductive { get; }
    public float WeightDecayRate { get; }

    public FewShotEvaluator(int ways, int shots, int batchSize, int iterations, bool replacement = false, bool transductive = false, float weightDecayRate = 1f)
    {
        if (ways < 1 || shots < 1 || batchSize < 1 || iterations < 0)
            throw new ArgumentException($"Invalid evaluation: {ways}-way {shots}-shot, batch {batchSize}, {iterations} iterations.");
        (Ways, Shots, BatchSize, Iterations, Replacement, Transductive, WeightDecayRate) =
            (ways, shots, batchSize, iterations, replacement, transductive, weightDecayRate);
    }

    /// <summary>Correct predictions (out of Ways) on task <paramref name="rng"/> draws.</summary>
    public int EvaluateTask(Worker worker, FewShotDataset dataset, Sequential initial, Optimizer initialOptimizer, Rng rng)
    {
        var (model, optimizer, task, batch) = (worker.Model, worker.Optimizer, worker.Task, worker.Batch);
        if (dataset.Classes.Count < Ways)
            throw new ArgumentException($"A {Ways}-way evaluation needs {Ways} classes; the dataset has {dataset.Classes.Count}.");
        int perClass = Shots + 1;
        task.Sample(dataset, Ways, perClass, rng, worker.ClassScratch(dataset), worker.ImageScratch(dataset));
        var (train, test) = worker.Split(Ways, perClass);

        model.SetParameters(initial.Parameters);
        optimizer.CopyStateFrom(initialOptimizer);
        worker.Batcher(Replacement).Reset(train);
        for (int step = 0; step < Iterations; step++)
        {
            var indices = batch.IndexBuffer(BatchSize);
            worker.Batcher(Replacement).Next(indices, rng);
            batch.Fill(task, indices);
            SupervisedStep.Run(model, optimizer, worker.Tape, batch.Inputs, batch.Loss, WeightDecayRate);
        }

        int correct = 0;
        if (Transductive)
        {
            batch.Fill(task, test);
            var logits = model.Forward(batch.Inputs);
            for (int i = 0; i < test.Length; i++)
                if (ArgMax(logits.Values.Slice(i * Ways, Ways)) == task.Label(test[i])) correct++;
        }
        else
        {
            var indices = batch.IndexBuffer(train.Length + 1);
            train.CopyTo(indices);
            foreach (int t in test)
            {
                indices[^1] = t;
                batch.Fill(task, indices);
                var logits = model.Forward(batch.Inputs);
                if (ArgMax(logits.Values.Slice(train.Length * Ways, Ways)) == task.Label(t)) correct++;
                indices = batch.IndexBuffer(train.Length + 1);
            }
        }
        return correct;
    }

    /// <summary>Accuracy over <paramref name="tasks"/> tasks (task k drawn from <paramref name="taskRng"/>(k)),
    /// with the 95% CI of the per-task accuracy, on <paramref name="threads"/> threads.</summary>
    public MeanWithCi Evaluate(FewShotDataset dataset, Sequential initial, Optimizer initialOptimizer, int tasks,
        Func<int, Rng> taskRng, int threads = 1, IProgress<int>? progress = null)
    {
        var accuracy = new double[tasks];
        int workers = Math.Clamp(threads, 1, Math.Max(1, tasks));
        int done = 0;
        var path = Kernels.Simd.Forced; // the workers compute on the caller's SIMD path, so results do not depend on threads
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            using var adopted = Kernels.Simd.Adopt(path);
            var worker = new Worker(initial, initialOptimizer);
            for (int k = w; k < tasks; k += workers)
            {
                accuracy[k] = EvaluateTask(worker, dataset, initial, initialOptimizer, taskRng(k)) / (double)Ways;
                progress?.Report(Interlocked.Increment(ref done));
            }
        });
        return MeanWithCi.Of(accuracy);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>Everything one evaluating thread owns: a model replica, an optimizer copy and buffers.</summary>
    public sealed class Worker(Sequential template, Optimizer optimizerTemplate)
    {
        private int[] classScratch = [], imageScratch = [], train = [], test = [];
        private MiniBatcher? batcher;

        public Sequential Model { get; } = template.Clone();
        public Optimizer Optimizer { get; } = optimizerTemplate.Clone();
        public Tape Tape { get; } = new();
        internal FewShotTask Task { get; } = new();
        internal FewShotBatch Batch { get; } = new();

        internal MiniBatcher Batcher(bool replacement) =>
            batcher is { } b && b.Replacement == replacement ? b : batcher = new MiniBatcher(replacement);

        internal Span<int> ClassScratch(FewShotDataset d) =>
            classScratch.Length >= d.Classes.Count ? classScratch : classScratch = new int[d.Classes.Count];

        private FewShotDataset? imageScratchFor;

        internal Span<int> ImageScratch(FewShotDataset d)
        {
            if (ReferenceEquals(d, imageScratchFor)) return imageScratch;
            int max = d.Classes.Max(c => c.ImageCount);
            if (imageScratch.Length < max) imageScratch = new int[max];
            imageScratchFor = d;
            return imageScratch;
        }

        /// <summary>Each class's first sample is held out (supervised-reptile's _split_train_test).</summary>
        internal (int[] Train, int[] Test) Split(int ways, int perClass)
        {
            if (test.Length != ways) test = new int[ways];
            if (train.Length != ways * (perClass - 1)) train = new int[ways * (perClass - 1)];
            int p = 0;
            for (int c = 0; c < ways; c++)
            {
                test[c] = c * perClass;
                for (int k = 1; k < perClass; k++) train[p++] = c * perClass + k;
            }
            return (train, test);
        }
    }
}
