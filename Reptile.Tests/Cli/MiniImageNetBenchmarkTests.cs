using Reptile.Cli;
using Reptile.Meta;

namespace Reptile.Tests.Cli;

/// <summary>`reptile bench miniimagenet` times the paper's Mini-ImageNet meta-iteration: its settings and data shape.</summary>
public class MiniImageNetBenchmarkTests
{
    [Fact]
    public void TheWorkloadIsThePapersMiniImageNetMetaIteration()
    {
        var options = MetaIterationBenchmark.PaperMiniImageNet(threads: 1, metaIters: 10);
        Assert.Equal((5, 15, 10, 8, 5, 1e-3f, 1f, 0f), (options.Classes, options.TrainShots, options.InnerBatch, options.InnerIters,
            options.MetaBatch, options.LearningRate, options.MetaStep, options.MetaStepFinal));
        var data = MetaIterationBenchmark.SyntheticMiniImageNet();
        Assert.Equal((64, 3, 84, 84), (data.Classes.Count, data.Channels, data.Height, data.Width));
        var trainer = MetaIterationBenchmark.MiniImageNetTrainer(data, threads: 1, InnerStateMode.Chained, metaIters: 10);
        var before = trainer.Model.Parameters.ToArray();
        var result = MetaIterationBenchmark.Measure("miniimagenet", trainer, iterations: 1, warmup: 0);
        Assert.True(result.MedianMs > 0);
        Assert.NotEqual(before, trainer.Model.Parameters.ToArray());
        Assert.Equal(new[] { 5, 1152 }, trainer.Model.GetParameter("17.weight").Tensor.Shape.ToArray());
    }
}
