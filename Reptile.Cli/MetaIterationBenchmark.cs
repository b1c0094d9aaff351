using System.Diagnostics;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Optim;

namespace Reptile.Cli;

/// <summary>
/// Times whole meta-iterations of the paper workloads (used by `reptile bench` and Reptile.Bench): the sine demo's
/// iteration, the paper's 5-way Omniglot iteration (5 tasks × 5 Adam steps on batches of 10 from 10-shot tasks,
/// β1 = 0, meta step 1) and its 5-way Mini-ImageNet iteration (5 tasks × 8 Adam steps on batches of 10 from 15-shot
/// tasks of 84×84 RGB images).
/// </summary>
internal static class MetaIterationBenchmark
{
    public sealed record Result(string Workload, int Threads, int Iterations, double MedianMs, double MeanMs)
    {
        public double IterationsPerSecond => 1000 / MedianMs;
    }

    /// <summary>The paper's 5-way Omniglot training flags (its README's commands).</summary>
    public static FewShotOptions PaperOmniglot(int threads, int metaIters) => new()
    {
        Classes = 5, Shots = 1, TrainShots = 10, InnerBatch = 10, InnerIters = 5, LearningRate = 1e-3f,
        MetaStep = 1f, MetaStepFinal = 0f, MetaBatch = 5, MetaIters = metaIters, EvalBatch = 5, EvalIters = 50, Threads = threads,
    };

    /// <summary>The paper's 5-way trainer; with a process <paramref name="group"/> (averaged state only) the ranks
    /// share each meta-batch.</summary>
    public static ReptileTrainer OmniglotTrainer(FewShotDataset train, int threads, InnerStateMode innerState, int metaIters = 100_000,
        IProcessGroup? group = null)
    {
        var options = PaperOmniglot(threads, metaIters) with { InnerState = innerState };
        return Trainer(options, Models.Omniglot(options.Classes), train, group);
    }

    /// <summary>The trainer of <paramref name="options"/> for <paramref name="model"/> (initialised from seed 0).</summary>
    private static ReptileTrainer Trainer(FewShotOptions options, Sequential model, FewShotDataset train, IProcessGroup? group)
    {
        model.Initialize(new Rng(0));
        return new ReptileTrainer(model, options.CreateInnerOptimizer(model.ParameterCount), options.CreateTrainingTasks(train),
            options.ToReptileOptions(), group == null ? null : new DistributedScheduler(group, options.Threads));
    }

    /// <summary>supervised-reptile's 5-way Mini-ImageNet training flags (its README: --inner-batch 10 --inner-iters 8
    /// --meta-step 1 --meta-batch 5 --learning-rate 0.001 --meta-step-final 0 --train-shots 15).</summary>
    public static FewShotOptions PaperMiniImageNet(int threads, int metaIters) => new()
    {
        Classes = 5, Shots = 1, TrainShots = 15, InnerBatch = 10, InnerIters = 8, LearningRate = 1e-3f,
        MetaStep = 1f, MetaStepFinal = 0f, MetaBatch = 5, MetaIters = metaIters, EvalBatch = 5, EvalIters = 50, Threads = threads,
    };

    /// <summary>The paper's 5-way Mini-ImageNet trainer (84×84 RGB, the ceil-mode network of 1152 features).</summary>
    public static ReptileTrainer MiniImageNetTrainer(FewShotDataset train, int threads, InnerStateMode innerState, int metaIters = 100_000,
        IProcessGroup? group = null)
    {
        var options = PaperMiniImageNet(threads, metaIters) with { InnerState = innerState };
        return Trainer(options, Models.MiniImageNet(options.Classes, imageSize: train.Height, inputChannels: train.Channels), train, group);
    }

    /// <summary>Random 84×84 RGB images, 64 classes (Mini-ImageNet's meta-training classes) × 20 images (enough for
    /// 15-shot tasks; the real set has 600 per class, which changes nothing in a meta-iteration's work).</summary>
    public static FewShotDataset SyntheticMiniImageNet()
    {
        var rng = new Rng(2);
        var classes = new List<FewShotClass>(64);
        for (int c = 0; c < 64; c++)
        {
            var pixels = new byte[20 * 3 * 84 * 84];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)rng.NextInt(256);
            classes.Add(new InMemoryClass($"synthetic{c}", 3, 84, 84, pixels, 1f / 255f));
        }
        return new FewShotDataset(classes);
    }

    public static ReptileTrainer SineTrainer(int metaIters = 30_000)
    {
        var model = Models.SineMlp().Initialize(new Rng(0));
        return new ReptileTrainer(model, new Sgd(0.02f), new SineTaskSampler(), new SineExperimentOptions { MetaIterations = metaIters }.ToReptileOptions());
    }

    /// <summary>Random 0/1 28×28 images in Omniglot's proportions (4800 classes × 20), for machines without the data.</summary>
    public static FewShotDataset SyntheticOmniglot()
    {
        var rng = new Rng(1);
        var classes = new List<FewShotClass>(4800);
        for (int c = 0; c < 4800; c++)
        {
            var pixels = new byte[20 * 28 * 28];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(rng.NextDouble() < 0.9 ? 1 : 0);
            classes.Add(new InMemoryClass($"synthetic{c}", 28, 28, pixels, 1f));
        }
        return new FewShotDataset(classes, 28, 28);
    }

    /// <summary>Runs at least <paramref name="warmup"/> untimed meta-iterations, more until the JIT is done
    /// (<see cref="JitWarmUp"/>), then <paramref name="iterations"/> timed ones.</summary>
    public static Result Measure(string workload, ReptileTrainer trainer, int iterations, int warmup, IProgress<TrainingProgress>? progress = null)
    {
        JitWarmUp.Run(() => trainer.Step(), warmup);
        var times = new double[iterations];
        var total = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            trainer.Step();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            progress?.Report(new TrainingProgress(i + 1, iterations, float.NaN, total.Elapsed));
        }
        Array.Sort(times);
        return new Result(workload, trainer.Options.Threads, iterations, times[iterations / 2], times.Average());
    }
}
