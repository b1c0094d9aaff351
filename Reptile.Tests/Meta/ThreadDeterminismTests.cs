using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

public class ThreadDeterminismTests
{
    [Fact]
    public void ParallelMetaBatchesGiveBitIdenticalWeightsOnAnyThreadCount()
    {
        // 28×28 images: on 2 threads the fifth task runs alone with its large products split across the threads.
        var train = SyntheticData.Dataset(10, 5, 28, seed: 1, prefix: "train");
        var test = SyntheticData.Dataset(6, 5, 28, seed: 2, prefix: "test");
        var options = new FewShotOptions
        {
            Classes = 3, Shots = 2, TrainShots = 3, InnerBatch = 4, InnerIters = 3, MetaBatch = 5, MetaIters = 12,
            MetaStep = 1f, MetaStepFinal = 0f, EvalInterval = 1000, Seed = 8, InnerState = InnerStateMode.Averaged,
        };
        float[] Run(int threads)
        {
            var e = new FewShotExperiment(options with { Threads = threads }, train, test, ways => Models.Omniglot(ways));
            e.Train(null, null, null);
            return [.. e.Model.Parameters, .. ((Reptile.Optim.Adam)e.InnerOptimizer).SecondMoment];
        }
        var one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(3));
    }

    [Fact]
    public void ChainedStateSplitsProductsAcrossThreadsWithBitIdenticalResults()
    {
        // 28×28 images, so the convolution products are large enough to be split between threads.
        var train = SyntheticData.Dataset(8, 6, 28, seed: 5);
        var options = new FewShotOptions
        {
            Classes = 3, Shots = 2, TrainShots = 4, InnerBatch = 6, InnerIters = 2, MetaBatch = 2, MetaIters = 4,
            MetaStep = 1f, MetaStepFinal = 0f, EvalInterval = 2, Seed = 6, InnerState = InnerStateMode.Chained,
        };
        (float[], IReadOnlyList<MetricsRow>) Run(int threads)
        {
            var e = new FewShotExperiment(options with { Threads = threads }, train, train, ways => Models.Omniglot(ways));
            e.Train(null, null, null);
            return ([.. e.Model.Parameters, .. ((Reptile.Optim.Adam)e.InnerOptimizer).SecondMoment], e.Metrics.ToArray());
        }
        var (one, oneMetrics) = Run(1);
        var (two, twoMetrics) = Run(2);
        Assert.Equal(one, two);
        Assert.Equal(oneMetrics, twoMetrics);
    }

    [Theory]
    [InlineData(Reptile.Kernels.SimdPath.Vector256, InnerStateMode.Chained)]
    [InlineData(Reptile.Kernels.SimdPath.Vector256, InnerStateMode.Averaged)]
    [InlineData(Reptile.Kernels.SimdPath.Vector128, InnerStateMode.Chained)]
    [InlineData(Reptile.Kernels.SimdPath.Vector128, InnerStateMode.Averaged)]
    [InlineData(Reptile.Kernels.SimdPath.Scalar, InnerStateMode.Chained)]
    [InlineData(Reptile.Kernels.SimdPath.Scalar, InnerStateMode.Averaged)]
    public void AForcedSimdPathReachesEveryThread(Reptile.Kernels.SimdPath path, InnerStateMode mode)
    {
        // The helper and task threads must compute on the caller's path: otherwise forcing a narrower path
        // (as the tests do) would make results depend on the thread count.
        var train = SyntheticData.Dataset(8, 6, 28, seed: 5);
        var options = new FewShotOptions
        {
            Classes = 3, Shots = 2, TrainShots = 4, InnerBatch = 6, InnerIters = 2, MetaBatch = 3, MetaIters = 3,
            MetaStep = 1f, MetaStepFinal = 0f, EvalInterval = 1000, Seed = 6, InnerState = mode,
        };
        float[] Run(int threads)
        {
            using var forced = Reptile.Kernels.Simd.Force(path);
            var e = new FewShotExperiment(options with { Threads = threads }, train, train, ways => Models.Omniglot(ways));
            e.Train(null, null, null);
            return [.. e.Model.Parameters, .. ((Reptile.Optim.Adam)e.InnerOptimizer).SecondMoment];
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void AveragedStateEqualsChainedForOneTaskPerMetaBatch()
    {
        var train = SyntheticData.Dataset(10, 5, 8, seed: 1);
        var options = new FewShotOptions { Classes = 3, Shots = 2, InnerBatch = 4, InnerIters = 3, MetaBatch = 1, MetaIters = 10, EvalInterval = 1000, Seed = 3 };
        float[] Run(InnerStateMode mode)
        {
            var e = new FewShotExperiment(options with { InnerState = mode }, train, train, ways => Models.Omniglot(ways, imageSize: 8));
            e.Train(null, null, null);
            return e.Model.Parameters;
        }
        Assert.Equal(Run(InnerStateMode.Chained), Run(InnerStateMode.Averaged));
    }
}
