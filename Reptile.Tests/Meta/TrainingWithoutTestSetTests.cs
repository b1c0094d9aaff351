using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

/// <summary>An app may meta-train on all its classes: without a test set the interval evaluations measure the training
/// classes only, and checkpoints still describe the model.</summary>
public class TrainingWithoutTestSetTests
{
    [Fact]
    public void ExperimentsTrainEvaluateAndCheckpointWithoutATestSet()
    {
        var data = SyntheticData.Dataset(8, 4, 8, seed: 3);
        var options = new FewShotOptions { Classes = 3, Shots = 1, InnerBatch = 3, InnerIters = 2, MetaIters = 6, EvalInterval = 2, EvalIters = 2 };
        var experiment = new FewShotExperiment(options, data, null, w => Models.Omniglot(w, imageSize: 8));
        var folder = Directory.CreateTempSubdirectory("reptile-notest-").FullName;
        var lines = new List<string>();
        experiment.Train(folder, lines.Add, null);
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Matches(@"^batch \d+: train=[0-9.]+$", l));
        Assert.All(experiment.Metrics.Where(r => r.Iteration % 2 == 0), r => Assert.True(r.TrainAccuracy.HasValue && r.TestAccuracy == null));
        Assert.Equal(3, FewShotClassifier.Load(folder).Description.Classes);
    }
}
