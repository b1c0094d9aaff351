using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Objectives;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// The sine demo's test: on a fresh task, fine-tune on K random grid points with full-batch SGD and measure
/// the MSE over the whole 50-point grid. Tasks come from (seed, task index), so two initialisations are
/// compared on exactly the same tasks and points.
/// </summary>
public sealed class SineEvaluator
{
    private const ulong EvaluationStream = 0x5E1A7E5;
    private readonly Tensor supportX, supportY, gridX, gridY;
    private readonly int[] order = Enumerable.Range(0, SineWaveTask.GridSize).ToArray();
    private readonly MseLoss supportLoss = new(), gridLoss = new();
    private readonly Tape tape = new();

    /// <summary>K: support points the model is fine-tuned on, 1 … 50.</summary>
    public int Shots { get; }
    /// <summary>Full-batch SGD steps of fine-tuning.</summary>
    public int Steps { get; }
    /// <summary>The fine-tuning SGD step size.</summary>
    public float LearningRate { get; }

    /// <summary>The paper's sine-wave evaluation: 10 shots, 32 steps of SGD at 0.02 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shots"/> is not in 1 … 50.</exception>
    public SineEvaluator(int shots = 10, int steps = 32, float learningRate = 0.02f)
    {
        if (shots < 1 || shots > SineWaveTask.GridSize) throw new ArgumentOutOfRangeException(nameof(shots), shots, $"must be in 1..{SineWaveTask.GridSize}");
        (Shots, Steps, LearningRate) = (shots, steps, learningRate);
        supportX = Tensor.Zeros(false, shots, 1);
        supportY = Tensor.Zeros(false, shots, 1);
        gridX = Tensor.FromArray((float[])SineWaveTask.Grid.Clone(), SineWaveTask.GridSize, 1);
        gridY = Tensor.Zeros(false, SineWaveTask.GridSize, 1);
        supportLoss.Target = supportY;
        gridLoss.Target = gridY;
    }

    /// <summary>One evaluation task: its sine, the support points, and predictions on the grid before and after fine-tuning.</summary>
    /// <param name="Task">The sine wave.</param>
    /// <param name="SupportX">The K grid points fine-tuned on.</param>
    /// <param name="SupportY">The wave's values there.</param>
    /// <param name="Before">Predictions on the 50-point grid before fine-tuning.</param>
    /// <param name="After">Predictions on the grid after fine-tuning.</param>
    /// <param name="Mse">Mean squared error over the grid after fine-tuning.</param>
    public sealed record Episode(SineWaveTask Task, float[] SupportX, float[] SupportY, float[] Before, float[] After, double Mse);

    /// <summary>Fine-tunes a copy of <paramref name="initial"/> on test task <paramref name="taskIndex"/>.</summary>
    public Episode Run(Sequential initial, Sequential scratch, ulong seed, int taskIndex)
    {
        var rng = Rng.Derive(seed, EvaluationStream, (ulong)taskIndex);
        var task = SineWaveTask.Sample(rng);
        rng.Shuffle(order.AsSpan());
        var grid = SineWaveTask.Grid;
        for (int i = 0; i < Shots; i++)
        {
            supportX.Values[i] = grid[order[i]];
            supportY.Values[i] = task.Evaluate(grid[order[i]]);
        }
        for (int i = 0; i < grid.Length; i++) gridY.Values[i] = task.Evaluate(grid[i]);

        scratch.SetParameters(initial.Parameters);
        var before = scratch.Forward(gridX).Values.ToArray();
        var sgd = new Sgd(LearningRate);
        for (int s = 0; s < Steps; s++) SupervisedStep.Run(scratch, sgd, tape, supportX, supportLoss);
        var prediction = scratch.Forward(gridX);
        var after = prediction.Values.ToArray();
        double mse = gridLoss.Forward(prediction, null).Values[0];
        return new Episode(task, supportX.Values.ToArray(), supportY.Values.ToArray(), before, after, mse);
    }

    /// <summary>Mean grid MSE after fine-tuning over <paramref name="tasks"/> test tasks, with its 95% CI.</summary>
    public MeanWithCi Evaluate(Sequential initial, ulong seed, int tasks)
    {
        var scratch = initial.Clone();
        var mses = new double[tasks];
        for (int k = 0; k < tasks; k++) mses[k] = Run(initial, scratch, seed, k).Mse;
        return MeanWithCi.Of(mses);
    }
}
