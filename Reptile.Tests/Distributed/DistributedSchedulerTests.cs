using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Distributed;

/// <summary>The meta-batch divided among 2 and 3 processes (threads standing in for MPI ranks) gives one process's
/// weights, optimizer state and accuracies bit for bit, and resuming sends rank 0's state to the others.</summary>
public class DistributedSchedulerTests
{
    private static readonly FewShotOptions Options = new()
    {
        Classes = 3, Shots = 1, TrainShots = 3, InnerBatch = 3, InnerIters = 3, MetaBatch = 5, MetaIters = 6, LearningRate = 1e-3f,
        MetaStep = 1f, MetaStepFinal = 0.2f, EvalBatch = 3, EvalIters = 2, EvalSamples = 7, EvalInterval = 2, Seed = 5,
        InnerState = InnerStateMode.Averaged,
    };

    private static readonly Lazy<Reptile.Data.FewShotDataset> Data = new(() => SyntheticData.Dataset(10, 5, 8, seed: 2));

    private static (float[] Weights, float[] State, double Accuracy) Run(IProcessGroup? group, int threads = 1)
    {
        var experiment = new FewShotExperiment(Options with { Threads = threads }, Data.Value, Data.Value, w => Models.Omniglot(w, imageSize: 8), group);
        experiment.Train(null, null, null);
        var accuracy = experiment.Evaluate(Data.Value, isTestSet: true);
        return (experiment.Model.Parameters.ToArray(), experiment.InnerOptimizer.State.SelectMany(s => s.Values).ToArray(), accuracy.Mean);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ProcessesTogetherGiveOneProcessesBits(int size)
    {
        var single = Run(null, threads: 2);
        foreach (var rank in InProcessGroup.Run(size, g => Run(g)))
        {
            Assert.Equal(single.Weights, rank.Weights);
            Assert.Equal(single.State, rank.State);
            Assert.Equal(single.Accuracy, rank.Accuracy);
        }
    }

    [Fact]
    public void ChainedStateIsRefusedNamingAveraged()
    {
        var e = Assert.Throws<ArgumentException>(() => InProcessGroup.Run(1, g =>
            new FewShotExperiment(Options with { InnerState = InnerStateMode.Chained }, Data.Value, Data.Value, w => Models.Omniglot(w, imageSize: 8), g)));
        Assert.Contains("Averaged", e.Message);
    }

    [Fact]
    public void ResumeSendsRankZerosCheckpointToEveryProcess()
    {
        var folder = Directory.CreateTempSubdirectory("reptile-group-resume-").FullName;
        var first = new FewShotExperiment(Options with { MetaIters = 6 }, Data.Value, Data.Value, w => Models.Omniglot(w, imageSize: 8));
        using (var stop = new CancellationTokenSource())
        {
            var progress = new SyncProgress<TrainingProgress>(p => { if (p.Iteration == 3) stop.Cancel(); });
            Assert.Throws<OperationCanceledException>(() => first.Train(folder, null, progress, stop.Token));
        }
        var straight = Run(null);
        var resumed = InProcessGroup.Run(2, g =>
        {
            var e = new FewShotExperiment(Options, Data.Value, Data.Value, w => Models.Omniglot(w, imageSize: 8), g);
            e.Resume(g.Rank == 0 ? folder : "/nonexistent"); // only rank 0 reads the folder
            Assert.Equal(1, e.Trainer.Iteration); // the checkpoint after iteration 0 (the interval is 100)
            e.Train(null, null, null);
            return e.Model.Parameters.ToArray();
        });
        Assert.All(resumed, w => Assert.Equal(straight.Weights, w));
    }

    [Fact]
    public void SineMetaBatchSharedByProcessesGivesOneProcessesBits()
    {
        var options = new SineExperimentOptions { MetaIterations = 50, MetaBatch = 3, EvaluationTasks = 5, Seed = 2 };
        var single = SineExperiment.Run(options).Model.Parameters.ToArray();
        foreach (var weights in InProcessGroup.Run(2, g => SineExperiment.Run(options, group: g).Model.Parameters.ToArray()))
            Assert.Equal(single, weights);
    }
}
