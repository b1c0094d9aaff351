using Reptile.Data;
using Reptile.Layers;

namespace Reptile.Meta;

/// <summary>
/// supervised-reptile's classification tasks: <see cref="Ways"/> classes with <see cref="Shots"/> images each,
/// the first <see cref="HeldOutPerClass"/> of each class held out (its _split_train_test), and
/// <see cref="Steps"/> mini-batches of <see cref="BatchSize"/> drawn from the rest (its _mini_batches). Held-out
/// samples are either the last batch (first-order MAML's tail) or left for predictions (evaluation).
/// </summary>
public sealed class FewShotTaskSampler : ITaskSampler
{
    private readonly FewShotDataset? dataset;
    private readonly FewShotBatch batch = new();
    private readonly MiniBatcher batcher;
    private readonly int[] classScratch = [], imageScratch = [];
    private int[] pool, heldOut;

    /// <summary>N: classes per task.</summary>
    public int Ways { get; }
    /// <summary>Images drawn per class, held-out ones included.</summary>
    public int Shots { get; }
    /// <summary>Samples per inner mini-batch.</summary>
    public int BatchSize { get; }
    /// <summary>
    /// Inner steps per task (the last one trains on the held-out samples when <see cref="HeldOutIsLastBatch"/>).
    /// </summary>
    public int Steps { get; }
    /// <summary>
    /// Whether mini-batches draw with replacement (else each epoch goes through the pool once, reshuffled).
    /// </summary>
    public bool Replacement => batcher.Replacement;
    /// <summary>Images per class held out of the mini-batches (0 in plain Reptile training).</summary>
    public int HeldOutPerClass { get; }
    /// <summary>True: the held-out samples are the last step's batch (FOML's tail); false: no step trains on them.</summary>
    public bool HeldOutIsLastBatch { get; }

    /// <summary>The task drawn last.</summary>
    public FewShotTask Task { get; }
    /// <summary>Indices (into <see cref="Task"/>) of the held-out samples, class by class.</summary>
    public ReadOnlySpan<int> HeldOut => heldOut;
    /// <summary>Indices of the samples the mini-batches are drawn from.</summary>
    public ReadOnlySpan<int> Pool => pool;

    /// <summary>Tasks of <paramref name="ways"/> classes drawn from <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The classes to draw from.</param>
    /// <param name="ways">Classes per task, at least 1 and at most the dataset's.</param>
    /// <param name="shots">Images per class, at least 1.</param>
    /// <param name="batchSize">Samples per inner mini-batch, at least 1.</param>
    /// <param name="steps">Inner steps per task, at least 0.</param>
    /// <param name="replacement">Draw mini-batches with replacement.</param>
    /// <param name="heldOutPerClass">Images per class kept out of the mini-batches, less than
    /// <paramref name="shots"/>.</param>
    /// <param name="heldOutIsLastBatch">Train the last step on the held-out samples (first-order MAML's tail).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count out of those ranges.</exception>
    /// <exception cref="ArgumentException">More ways than the dataset has classes.</exception>
    public FewShotTaskSampler(FewShotDataset dataset, int ways, int shots, int batchSize, int steps,
        bool replacement = false, int heldOutPerClass = 0, bool heldOutIsLastBatch = false)
    {
        if (ways < 1) throw new ArgumentOutOfRangeException(nameof(ways), ways, "at least one class per task");
        if (shots < 1) throw new ArgumentOutOfRangeException(nameof(shots), shots, "at least one image per class");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "at least one sample per batch");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "cannot be negative");
        if (heldOutPerClass < 0 || heldOutPerClass >= shots)
            throw new ArgumentOutOfRangeException(nameof(heldOutPerClass), heldOutPerClass, $"must leave training images out of {shots} per class");
        if (ways > dataset.Classes.Count)
            throw new ArgumentException($"A {ways}-way task needs {ways} classes; the dataset has {dataset.Classes.Count}.", nameof(ways));
        (this.dataset, Ways, Shots, BatchSize, Steps, HeldOutPerClass, HeldOutIsLastBatch) =
            (dataset, ways, shots, batchSize, steps, heldOutPerClass, heldOutIsLastBatch && heldOutPerClass > 0);
        Task = new FewShotTask();
        batcher = new MiniBatcher(replacement);
        classScratch = new int[dataset.Classes.Count];
        imageScratch = new int[dataset.Classes.Max(c => c.ImageCount)];
        heldOut = new int[ways * heldOutPerClass];
        pool = new int[ways * (shots - heldOutPerClass)];
        int p = 0, q = 0;
        for (int i = 0; i < ways * shots; i++)
        {
            if (i % shots < heldOutPerClass) heldOut[q++] = i;
            else pool[p++] = i;
        }
    }

    /// <summary>Batches over a task given whole (an app's support set and queries): no drawing, the batches come
    /// from <paramref name="pool"/>, and <paramref name="heldOut"/> are the samples to predict.</summary>
    internal FewShotTaskSampler(FewShotTask task, int ways, int batchSize, int steps, bool replacement, int[] pool, int[] heldOut)
    {
        (Task, Ways, BatchSize, Steps, this.pool, this.heldOut) = (task, ways, batchSize, steps, pool, heldOut);
        batcher = new MiniBatcher(replacement);
    }

    /// <summary>The samples to predict, for a task given whole.</summary>
    internal void SetHeldOut(int[] samples) => heldOut = samples;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">A drawn class has fewer than <see cref="Shots"/> images.</exception>
    public int Sample(Rng rng)
    {
        if (dataset != null) Task.Sample(dataset, Ways, Shots, rng, classScratch, imageScratch);
        batcher.Reset(pool);
        return Steps;
    }

    /// <summary>
    /// The model's logits for each held-out sample (rows of <see cref="Ways"/> in <paramref name="logits"/>), as
    /// supervised-reptile predicts: non-transductive, each held-out sample in one batch with all the pool's samples
    /// (what batch norm's statistics see); transductive, all held-out samples as one batch.
    /// </summary>
    internal void PredictHeldOut(Sequential model, bool transductive, Span<float> logits)
    {
        if (transductive)
        {
            model.Forward(Fill(heldOut).Inputs).Values[..(heldOut.Length * Ways)].CopyTo(logits);
            return;
        }
        for (int q = 0; q < heldOut.Length; q++)
        {
            var indices = IndexBuffer(pool.Length + 1);
            pool.CopyTo(indices);
            indices[^1] = heldOut[q];
            model.Forward(Fill(indices).Inputs).Values.Slice(pool.Length * Ways, Ways).CopyTo(logits.Slice(q * Ways, Ways));
        }
    }

    /// <inheritdoc/>
    public TaskBatch Batch(int step, Rng rng)
    {
        if (HeldOutIsLastBatch && step == Steps - 1) return Fill(heldOut);
        var indices = batch.IndexBuffer(BatchSize);
        batcher.Next(indices, rng);
        return Fill(indices);
    }

    /// <summary>A batch of the given samples of the task drawn last (for predictions on held-out samples).</summary>
    public TaskBatch Fill(ReadOnlySpan<int> samples)
    {
        batch.Fill(Task, samples);
        return new TaskBatch(batch.Inputs, batch.Loss);
    }

    /// <summary>An index buffer of <paramref name="size"/> entries owned by this sampler (for <see cref="Fill"/>).</summary>
    internal Span<int> IndexBuffer(int size) => batch.IndexBuffer(size);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">This sampler works on a given task (an adaptation's), not on a
    /// dataset.</exception>
    public ITaskSampler Clone() => dataset != null
        ? new FewShotTaskSampler(dataset, Ways, Shots, BatchSize, Steps, Replacement, HeldOutPerClass, HeldOutIsLastBatch)
        : throw new InvalidOperationException("A sampler over a given task is not cloned: each adaptation makes its own.");
}
