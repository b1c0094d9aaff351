using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Objectives;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// The sine demo's inner loop: sample a sine task, shuffle its 50 grid points into minibatches
/// (5 of 10 by default) and take one optimizer step on each (one epoch), as the authors' demo does.
/// </summary>
public sealed class SineInnerLoop : IInnerLoop
{
    private readonly int[] order = Enumerable.Range(0, SineWaveTask.GridSize).ToArray();
    private readonly Tensor inputs, targets;
    private readonly MseLoss loss = new();

    public int BatchSize { get; }
    public int Epochs { get; }

    public SineInnerLoop(int batchSize = 10, int epochs = 1)
    {
        if (batchSize < 1 || batchSize > SineWaveTask.GridSize) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"must be in 1..{SineWaveTask.GridSize}");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "at least one epoch");
        (BatchSize, Epochs) = (batchSize, epochs);
        inputs = Tensor.Zeros(false, batchSize, 1);
        targets = Tensor.Zeros(false, batchSize, 1);
        loss.Target = targets;
    }

    public float Adapt(Sequential model, Optimizer optimizer, Tape tape, Rng rng, Span<float> beforeLastStep)
    {
        var task = SineWaveTask.Sample(rng);
        var grid = SineWaveTask.Grid;
        int batches = SineWaveTask.GridSize / BatchSize;
        int steps = batches * Epochs, step = 0;
        float lossSum = 0;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            rng.Shuffle(order.AsSpan());
            for (int b = 0; b < batches; b++)
            {
                var x = inputs.Values;
                var y = targets.Values;
                for (int i = 0; i < BatchSize; i++)
                {
                    float xi = grid[order[b * BatchSize + i]];
                    x[i] = xi;
                    y[i] = task.Evaluate(xi);
                }
                if (++step == steps && !beforeLastStep.IsEmpty) model.Parameters.CopyTo(beforeLastStep);
                lossSum += SupervisedStep.Run(model, optimizer, tape, inputs, loss);
            }
        }
        return lossSum / steps;
    }

    public IInnerLoop Clone() => new SineInnerLoop(BatchSize, Epochs);
}
