using Reptile.IO;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

public class CheckpointTests
{
    private static FewShotOptions SmallRun => new()
    {
        Classes = 3, Shots = 2, TrainShots = 3, InnerBatch = 4, InnerIters = 2, MetaBatch = 2, MetaIters = 130,
        MetaStep = 1f, MetaStepFinal = 0f, EvalBatch = 3, EvalIters = 2, EvalSamples = 4, EvalInterval = 50, Seed = 4,
    };

    private static FewShotExperiment Experiment(FewShotOptions options)
    {
        var train = SyntheticData.Dataset(10, 5, 8, seed: 1, prefix: "train");
        var test = SyntheticData.Dataset(6, 5, 8, seed: 2, prefix: "test");
        return new FewShotExperiment(options, train, test, ways => Models.Omniglot(ways, imageSize: 8));
    }

    [Fact]
    public void ResumingGivesTheSameWeightsAsAnUninterruptedRun()
    {
        var straight = Experiment(SmallRun);
        straight.Train(null, null, null);

        var folder = Directory.CreateTempSubdirectory("reptile-resume-").FullName;
        var interrupted = Experiment(SmallRun);
        using var stop = new CancellationTokenSource();
        // Stop right after the checkpoint at iteration 100 (101 iterations done), as a kill would.
        var progress = new SyncProgress<TrainingProgress>(p => { if (p.Iteration == 101) stop.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => interrupted.Train(folder, null, progress, stop.Token));

        var resumed = Experiment(SmallRun);
        resumed.Resume(folder);
        Assert.Equal(101, resumed.Trainer.Iteration);
        resumed.Train(folder, null, null);

        Assert.Equal(straight.Model.Parameters, resumed.Model.Parameters);
        Assert.Equal(((Reptile.Optim.Adam)straight.InnerOptimizer).SecondMoment, ((Reptile.Optim.Adam)resumed.InnerOptimizer).SecondMoment);
        Assert.Equal(130, File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Length - 1);
    }

    /// <summary>
    /// The paper's 1-shot and 5-shot commands differ only in --shots, which only the evaluations read (training
    /// tasks have --train-shots): their training is the same run, interval evaluations included, so one
    /// 100 000-iteration checkpoint serves both (docs/results.md).
    /// </summary>
    [Fact]
    public void EvaluationShotsDoNotChangeTraining()
    {
        var oneShot = Experiment(SmallRun with { Shots = 1, MetaIters = 60, EvalInterval = 10 });
        var fiveShot = Experiment(SmallRun with { Shots = 4, MetaIters = 60, EvalInterval = 10 });
        oneShot.Train(null, null, null);
        fiveShot.Train(null, null, null);
        Assert.Equal(oneShot.Options.TrainingFlags(), fiveShot.Options.TrainingFlags());
        Assert.Equal(oneShot.Model.Parameters, fiveShot.Model.Parameters);
        Assert.Equal(((Reptile.Optim.Adam)oneShot.InnerOptimizer).SecondMoment, ((Reptile.Optim.Adam)fiveShot.InnerOptimizer).SecondMoment);
        Assert.NotEqual(oneShot.Metrics.Select(m => m.TestAccuracy), fiveShot.Metrics.Select(m => m.TestAccuracy));
    }

    [Fact]
    public void CheckpointUsesPyTorchStateDictNamesAndShapes()
    {
        var folder = Directory.CreateTempSubdirectory("reptile-ckpt-").FullName;
        var experiment = Experiment(SmallRun);
        experiment.SaveCheckpoint(folder);
        var (tensors, metadata) = SafeTensors.Read(Path.Combine(folder, ReptileCheckpoint.ModelFile));
        var names = tensors.Select(t => t.Name).ToArray();
        Assert.Equal(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "4.weight", "4.bias", "6.weight", "6.bias",
                             "7.weight", "7.bias", "9.weight", "9.bias", "10.weight", "10.bias", "13.weight", "13.bias" }, names);
        Assert.Equal(new[] { 64, 1, 3, 3 }, tensors.Single(t => t.Name == "0.weight").Shape);
        Assert.Equal(new[] { 3, 64 }, tensors.Single(t => t.Name == "13.weight").Shape);
        Assert.Equal("0", metadata["iteration"]);
        Assert.Contains("\"Classes\":3", metadata["options"]);
    }

    [Fact]
    public void ResumeWithOtherTrainingFlagsIsRefused()
    {
        var folder = Directory.CreateTempSubdirectory("reptile-flags-").FullName;
        Experiment(SmallRun).SaveCheckpoint(folder);
        var other = Experiment(SmallRun with { LearningRate = 0.01f });
        Throws.Naming<ArgumentException>("other training options", () => other.Resume(folder));
        // Evaluation-only flags may change.
        Experiment(SmallRun with { EvalSamples = 9, Threads = 2, Transductive = true }).Resume(folder);
    }

    [Fact]
    public void CheckpointForAnotherModelIsAClearError()
    {
        var folder = Directory.CreateTempSubdirectory("reptile-model-").FullName;
        Experiment(SmallRun).SaveCheckpoint(folder);
        Throws.Naming<InvalidFileException>("0.weight", () => ReptileCheckpoint.Load(folder, Models.SineMlp(), null));
    }

    [Fact]
    public void MissingOptimizerStateIsAClearError()
    {
        var folder = Directory.CreateTempSubdirectory("reptile-state-").FullName;
        var experiment = Experiment(SmallRun);
        experiment.SaveCheckpoint(folder);
        foreach (var f in Directory.GetFiles(folder, "optimizer-*")) File.Delete(f);
        Throws.Naming<InvalidFileException>("optimizer-", () => experiment.Resume(folder));
    }

    /// <summary>Progress&lt;T&gt; posts asynchronously; the test needs the callback inline.</summary>
}
