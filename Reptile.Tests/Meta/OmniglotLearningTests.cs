using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

/// <summary>A CI-sized run on real Omniglot: a few hundred meta-iterations must already give an initialisation
/// that clearly beats an untrained one on held-out characters.</summary>
public class OmniglotLearningTests
{
    [SharedDataFact]
    public void MetaTrainedInitBeatsUntrainedOnHeldOutCharacters()
    {
        var (train, test) = ClassSplit.Omniglot(OmniglotDataset.Load(SharedData.OmniglotDir), seed: 0);
        var options = new FewShotOptions
        {
            Classes = 5, Shots = 1, TrainShots = 10, InnerBatch = 10, InnerIters = 5, LearningRate = 1e-3f,
            MetaStep = 1f, MetaStepFinal = 0f, MetaBatch = 2, MetaIters = 300, EvalBatch = 5, EvalIters = 20,
            EvalSamples = 60, EvalInterval = 1000, Seed = 0, Threads = 2,
        };
        var untrained = new FewShotExperiment(options, train, test, ways => Models.Omniglot(ways));
        var before = untrained.Evaluate(test, isTestSet: true);

        var trained = new FewShotExperiment(options, train, test, ways => Models.Omniglot(ways));
        trained.Train(null, null, null);
        var after = trained.Evaluate(test, isTestSet: true);

        Assert.True(after.Mean > before.Mean + 0.15, $"meta-trained {after} vs untrained {before}");
        Assert.True(after.Mean > 0.5, $"meta-trained accuracy {after} on 5-way 1-shot");
    }
}
