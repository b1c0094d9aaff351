using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Optim;

namespace Reptile.Tests.Meta;

public class ReptileTrainerTests
{
    /// <summary>An inner loop whose task t moves every parameter to a known value, to check the outer update.</summary>
    private sealed class FixedTargets(Func<int, int, float> target) : IInnerLoop
    {
        private int calls;

        public float Adapt(Sequential model, Optimizer optimizer, Tape tape, Rng rng, Span<float> beforeLastStep)
        {
            int task = calls++;
            if (!beforeLastStep.IsEmpty)
                for (int i = 0; i < beforeLastStep.Length; i++) beforeLastStep[i] = model.Parameters[i] + 1f;
            for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = target(task, i);
            return 0.5f;
        }

        public IInnerLoop Clone() => throw new NotSupportedException();
    }

    [Fact]
    public void MetaUpdateMovesPhiTowardsTheMeanOfTheTaskWeights()
    {
        var model = new Sequential(new Dense(3, 2)).Initialize(new Rng(1));
        var phi = model.Parameters.ToArray();
        var trainer = new ReptileTrainer(model, new Sgd(0.1f), new FixedTargets((t, i) => t * 10 + i),
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
        // The fake loop reports "before last step" = φ + 1 and ends at 7: the last step is 7 − (φ + 1).
        var trainer = new ReptileTrainer(model, new Sgd(0.1f), new FixedTargets((_, _) => 7f),
            new ReptileOptions { MetaBatch = 2, MetaStep = 0.25f, MetaStepFinal = 0.25f, MetaIterations = 1, FirstOrderMaml = true });
        trainer.Step();
        for (int i = 0; i < phi.Length; i++)
            Assert.Equal(phi[i] + 0.25f * (7f - (phi[i] + 1f)), model.Parameters[i], 4);
    }

    [Fact]
    public void NaNLossStopsTrainingNamingTheIteration()
    {
        var model = new Sequential(new Dense(1, 1)).Initialize(new Rng(3));
        var loop = new NaNAt(2);
        var trainer = new ReptileTrainer(model, new Sgd(0.1f), loop, new ReptileOptions { MetaIterations = 10 });
        trainer.Step();
        trainer.Step();
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Step());
        Assert.Equal(2, e.Iteration);
        Assert.Contains("meta-iteration 2", e.Message);
    }

    private sealed class NaNAt(int iteration) : IInnerLoop
    {
        private int calls;
        public float Adapt(Sequential model, Optimizer optimizer, Tape tape, Rng rng, Span<float> beforeLastStep) =>
            calls++ == iteration ? float.NaN : 1f;
        public IInnerLoop Clone() => throw new NotSupportedException();
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
