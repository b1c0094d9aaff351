using Reptile.Autograd;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// supervised-reptile's inner loop for classification: sample an N-way task with `shots` images per class,
/// then take `iterations` optimizer steps on mini-batches of its samples. With first-order MAML's tail,
/// `tailShots` images per class are held out and form the last batch.
/// </summary>
public sealed class FewShotInnerLoop : IInnerLoop
{
    private readonly FewShotDataset dataset;
    private readonly FewShotTask task = new();
    private readonly FewShotBatch batch = new();
    private readonly MiniBatcher batcher;
    private readonly int[] classScratch, imageScratch;
    private int[] pool = [], tail = [];

    public int Ways { get; }
    public int Shots { get; }
    public int BatchSize { get; }
    public int Iterations { get; }
    public float WeightDecayRate { get; }
    public int? TailShots { get; }

    public FewShotInnerLoop(FewShotDataset dataset, int ways, int shots, int batchSize, int iterations,
        bool replacement = false, float weightDecayRate = 1f, int? tailShots = null)
    {
        if (ways < 1 || shots < 1 || batchSize < 1 || iterations < 1)
            throw new ArgumentException($"Invalid inner loop: {ways}-way {shots}-shot, batch {batchSize}, {iterations} iterations.");
        if (tailShots is { } t && (t < 1 || t >= shots))
            throw new ArgumentException($"The FOML tail ({t} per class) must leave training samples out of {shots} shots.");
        if (ways > dataset.Classes.Count)
            throw new ArgumentException($"A {ways}-way task needs {ways} classes; the dataset has {dataset.Classes.Count}.");
        (this.dataset, Ways, Shots, BatchSize, Iterations, WeightDecayRate, TailShots) =
            (dataset, ways, shots, batchSize, iterations, weightDecayRate, tailShots);
        batcher = new MiniBatcher(replacement);
        classScratch = new int[dataset.Classes.Count];
        imageScratch = new int[dataset.Classes.Max(c => c.ImageCount)];
    }

    public float Adapt(Sequential model, Optimizer optimizer, Tape tape, Rng rng, Span<float> beforeLastStep)
    {
        task.Sample(dataset, Ways, Shots, rng, classScratch, imageScratch);
        int tailPerClass = TailShots ?? 0;
        SplitPool(tailPerClass);
        batcher.Reset(pool);
        float lossSum = 0;
        for (int step = 0; step < Iterations; step++)
        {
            bool last = step == Iterations - 1;
            if (last && tailPerClass > 0)
                batch.Fill(task, tail);
            else
            {
                var indices = batch.IndexBuffer(BatchSize);
                batcher.Next(indices, rng);
                batch.Fill(task, indices);
            }
            if (last && !beforeLastStep.IsEmpty) model.Parameters.CopyTo(beforeLastStep);
            lossSum += SupervisedStep.Run(model, optimizer, tape, batch.Inputs, batch.Loss, WeightDecayRate);
        }
        return lossSum / Iterations;
    }

    /// <summary>Training pool and tail: the first `tailPerClass` samples of each class go to the tail
    /// (supervised-reptile's _split_train_test takes each label's first samples).</summary>
    private void SplitPool(int tailPerClass)
    {
        int trainCount = task.Count - Ways * tailPerClass;
        if (pool.Length != trainCount) pool = new int[trainCount];
        if (tail.Length != Ways * tailPerClass) tail = new int[Ways * tailPerClass];
        int p = 0, q = 0;
        for (int i = 0; i < task.Count; i++)
        {
            if (i % Shots < tailPerClass) tail[q++] = i;
            else pool[p++] = i;
        }
    }

    public IInnerLoop Clone() =>
        new FewShotInnerLoop(dataset, Ways, Shots, BatchSize, Iterations, batcher.Replacement, WeightDecayRate, TailShots);
}
