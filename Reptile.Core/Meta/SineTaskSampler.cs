using Reptile.Autograd;
using Reptile.Objectives;

namespace Reptile.Meta;

/// <summary>
/// The sine demo's tasks: a random sine wave, its 50 grid points shuffled into minibatches (5 of 10 by default),
/// one step per minibatch for <see cref="Epochs"/> epochs, as the authors' demo trains.
/// </summary>
public sealed class SineTaskSampler : ITaskSampler
{
    private readonly int[] order = Enumerable.Range(0, SineWaveTask.GridSize).ToArray();
    private readonly Tensor inputs, targets;
    private readonly MseLoss loss = new();
    private SineWaveTask task;

    /// <summary>Grid points per inner mini-batch, 1 … 50.</summary>
    public int BatchSize { get; }
    /// <summary>Passes over the 50 grid points per task.</summary>
    public int Epochs { get; }
    private int BatchesPerEpoch => SineWaveTask.GridSize / BatchSize;

    /// <summary>
    /// Sine tasks trained in mini-batches of <paramref name="batchSize"/> points for <paramref name="epochs"/> epochs
    /// (the demo: 10 and 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A batch size outside 1 … 50, or no epoch.</exception>
    public SineTaskSampler(int batchSize = 10, int epochs = 1)
    {
        if (batchSize < 1 || batchSize > SineWaveTask.GridSize) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"must be in 1..{SineWaveTask.GridSize}");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "at least one epoch");
        (BatchSize, Epochs) = (batchSize, epochs);
        inputs = Tensor.Zeros(false, batchSize, 1);
        targets = Tensor.Zeros(false, batchSize, 1);
        loss.Target = targets;
    }

    /// <inheritdoc/>
    public int Sample(Rng rng)
    {
        task = SineWaveTask.Sample(rng);
        // Each task shuffles the grid from the same order, so its batches depend on its own random stream alone,
        // not on which tasks this worker ran before (which the scheduler decides).
        for (int i = 0; i < order.Length; i++) order[i] = i;
        return BatchesPerEpoch * Epochs;
    }

    /// <inheritdoc/>
    public TaskBatch Batch(int step, Rng rng)
    {
        int b = step % BatchesPerEpoch;
        if (b == 0) rng.Shuffle(order.AsSpan()); // a new epoch
        var grid = SineWaveTask.Grid;
        var x = inputs.Values;
        var y = targets.Values;
        for (int i = 0; i < BatchSize; i++)
        {
            float xi = grid[order[b * BatchSize + i]];
            x[i] = xi;
            y[i] = task.Evaluate(xi);
        }
        return new TaskBatch(inputs, loss);
    }

    /// <inheritdoc/>
    public ITaskSampler Clone() => new SineTaskSampler(BatchSize, Epochs);
}
