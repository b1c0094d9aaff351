using Reptile.Layers;
using Reptile.Cli;
using Reptile.Meta;
using Reptile.Optim;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

/// <summary>Steady-state meta-iterations allocate nothing: every buffer is owned and reused, and work reaches
/// helper and task threads as structs (the thread pool's Parallel.For allocated on every meta-iteration).
/// Counted on the calling thread, which is where any orchestration would allocate.</summary>
public class AllocationTests
{
    private static long AllocatedBy(Action action, int warmup, int runs)
    {
        BlockingWaits.Warm(2);
        for (int i = 0; i < warmup; i++) action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < runs; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void SineMetaIterationAllocatesNothing()
    {
        var trainer = MetaIterationBenchmark.SineTrainer();
        Assert.Equal(0, AllocatedBy(() => trainer.Step(), warmup: 20, runs: 50));
    }

    [Theory]
    [InlineData(1, InnerStateMode.Chained)]
    [InlineData(2, InnerStateMode.Chained)]
    [InlineData(2, InnerStateMode.Averaged)]
    public void FewShotMetaIterationAllocatesNothing(int threads, InnerStateMode innerState)
    {
        var data = SyntheticData.Dataset(12, 10, 28, seed: 4);
        var model = Models.Omniglot(5).Initialize(new Rng(1));
        var loop = new FewShotTaskSampler(data, 5, 10, 10, 5);
        var trainer = new ReptileTrainer(model, new Adam(model.ParameterCount, 1e-3f), loop,
            new ReptileOptions { MetaBatch = 5, MetaIterations = 100, MetaStep = 1f, MetaStepFinal = 0f, Threads = threads, InnerState = innerState });
        Assert.Equal(0, AllocatedBy(() => trainer.Step(), warmup: 3, runs: 5));
    }

    /// <summary>Evaluation tasks (fine-tuning and predictions) allocate nothing once each thread's replica has grown,
    /// counted as `reptile bench evaluation` counts: on every evaluating thread, each reading its own counter when it
    /// reports a task done.</summary>
    [Theory]
    [InlineData(1, 5, 1, false)]
    [InlineData(2, 5, 1, false)]
    [InlineData(1, 5, 5, false)]
    [InlineData(1, 20, 1, false)]
    [InlineData(2, 5, 1, true)]
    public void EvaluationTasksAllocateNothing(int threads, int ways, int shots, bool transductive)
    {
        BlockingWaits.Warm(2);
        var data = SyntheticData.Dataset(24, 6, 28, seed: 5);
        var options = EvaluationBenchmark.Options(ways, shots, evalBatch: 5, evalIters: 3, transductive, threads);
        var model = Models.Omniglot(ways).Initialize(new Rng(1));
        var result = EvaluationBenchmark.Measure(options.CreateEvaluator(), data, model, options.CreateInnerOptimizer(model.ParameterCount),
            tasks: 4 * threads, warmup: 3 * threads, threads);
        Assert.Equal(0, result.BytesPerTask);
    }
}
