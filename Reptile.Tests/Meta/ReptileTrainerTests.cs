using Reptile.Layers;
using Reptile.Meta;
using Reptile.Objectives;
using Reptile.Optim;

namespace Reptile.Tests.Meta;

public class ReptileTrainerTests
{
    /// <summary>Tasks of one batch each, whose loss targets are NaN at task <paramref name="nanTask"/> (counting
    /// tasks from the start).</summary>
    private sealed class OneBatchTasks(int inputs, int outputs, int nanTask = -1) : ITaskSampler
    {
        private readonly Tensor input = Tensor.Zeros(false, 1, inputs);
        private readonly MseLoss loss = new() { Target = Tensor.Zeros(false, 1, outputs) };
        private int tasks;

        public int Sample(Rng rng)
        {
            loss.Target.Values.Fill(tasks++ == nanTask ? float.NaN : 0f);
            return 1;
        }

        public TaskBatch Batch(int step, Rng rng) => new(input, loss);
        public ITaskSampler Clone() => throw new NotSupportedException();
    }

    /// <summary>An "optimizer" whose step moves every parameter of the t-th task to target(t, i): the inner loop's
    /// result is known, so the outer update can be checked alone.</summary>
    private sealed class MoveTo(Func<int, int, float> target) : Optimizer
    {
        private int steps;

        public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
        {
            int task = steps++;
            for (int i = 0; i < parameters.Length; i++) parameters[i] = target(task, i);
        }

        public override Optimizer Clone() => throw new NotSupportedException();
    }

    [Fact]
    public void MetaUpdateMovesPhiTowardsTheMeanOfTheTaskWeights()
    {
        var model = new Sequential(new Dense(3, 2)).Initialize(new Rng(1));
        var phi = model.Parameters.ToArray();
        var trainer = new ReptileTrainer(model, new MoveTo((t, i) => t * 10 + i), new OneBatchTasks(3, 2),
            new ReptileOptions { MetaBatch = 3, MetaStep = 0.5f, MetaStepFinal = 0.1f, MetaIterations = 4 });
        trainer.Step();
        for (int i = 0; i < phi.Length; i++)
        {
            float mean = (0 * 10 + i + 1 * 10 + i + 2 * 10 + i) / 3f;
            Assert.Equal(phi[i] + 0.5f * (mean - phi[i]), model.Parameters[i], 4);
        }
        Assert.Equal(1, trainer.Iteration);
    }

    [Fact]
    public void MetaStepIsAnnealedLinearly()
    {
        var options = new ReptileOptions { MetaStep = 1f, MetaStepFinal = 0f, MetaIterations = 100 };
        Assert.Equal(1f, options.MetaStepAt(0));
        Assert.Equal(0.75f, options.MetaStepAt(25), 6);
        Assert.Equal(0.01f, options.MetaStepAt(99), 6);
        Assert.Equal(0f, options.MetaStepAt(150));
    }

    [Fact]
    public void FirstOrderMamlMovesPhiByTheMeanLastStep()
    {
        var model = new Sequential(new Dense(2, 2)).Initialize(new Rng(2));
        var phi = model.Parameters.ToArray();
        // One step per task, from φ to 7: the last step is 7 − φ.
        var trainer = new ReptileTrainer(model, new MoveTo((_, _) => 7f), new OneBatchTasks(2, 2),
            new ReptileOptions { MetaBatch = 2, MetaStep = 0.25f, MetaStepFinal = 0.25f, MetaIterations = 1, FirstOrderMaml = true });
        trainer.Step();
        for (int i = 0; i < phi.Length; i++)
            Assert.Equal(phi[i] + 0.25f * (7f - phi[i]), model.Parameters[i], 4);
    }

    [Fact]
    public void NaNLossStopsTrainingNamingTheIteration()
    {
        var model = new Sequential(new Dense(1, 1)).Initialize(new Rng(3));
        var trainer = new ReptileTrainer(model, new Sgd(0.1f), new OneBatchTasks(1, 1, nanTask: 2), new ReptileOptions { MetaIterations = 10 });
        trainer.Step();
        trainer.Step();
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Step());
        Assert.Equal(2, e.Iteration);
        Assert.Contains("meta-iteration 2", e.Message);
    }

    [Fact]
    public void SineRunsAreReproducibleBySeed()
    {
        var options = new SineExperimentOptions { MetaIterations = 200, EvaluationTasks = 5, Seed = 11 };
        var a = SineExperiment.Run(options);
        var b = SineExperiment.Run(options);
        var c = SineExperiment.Run(options with { Seed = 12 });
        Assert.Equal(a.Model.Parameters, b.Model.Parameters);
        Assert.Equal(a.ReptileMse, b.ReptileMse);
        Assert.NotEqual(a.Model.Parameters, c.Model.Parameters);
    }

    [Fact]
    public void SineMetaTrainingBeatsRandomInitialisation()
    {
        var result = SineExperiment.Run(new SineExperimentOptions { MetaIterations = 3000, EvaluationTasks = 100, Seed = 1 });
        Assert.True(result.ReptileMse.Mean < 0.5 * result.RandomMse.Mean,
            $"Reptile {result.ReptileMse} vs random {result.RandomMse}");
    }
}
