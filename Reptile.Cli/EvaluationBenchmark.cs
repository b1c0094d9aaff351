using System.Diagnostics;
using Reptile.Data;
using Reptile.Kernels;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Optim;

namespace Reptile.Cli;

/// <summary>
/// Times the few-shot evaluation, half of a paper run (used by `reptile bench evaluation`): one
/// <see cref="FewShotEvaluator.Evaluate"/> call as a run's final evaluation makes it, tasks spread over the threads,
/// from a fixed initialisation; the warm-up tasks come first in the same call, so the timed ones run on replicas whose
/// buffers have already grown.
/// </summary>
internal static class EvaluationBenchmark
{
    /// <summary>Per task: milliseconds of wall time (wall / tasks, so with T threads each task takes about T times as
    /// long), bytes the evaluating threads allocated, and the multiply-adds of <see cref="MultiplyAddsPerTask"/>.</summary>
    public sealed record Result(int Threads, int Tasks, double MedianMs, double MeanMs, double BytesPerTask, double MultiplyAddsPerTask)
    {
        public double GflopPerTask => 2 * MultiplyAddsPerTask / 1e9;
        /// <summary>From the mean: the work of every timed task over the wall time they took.</summary>
        public double GflopPerSecond => GflopPerTask / (MeanMs / 1000);
    }

    /// <summary>The paper's 5-way Omniglot run (its README's flags) with the evaluation protocol given.</summary>
    public static FewShotOptions Options(int classes, int shots, int evalBatch, int evalIters, bool transductive, int threads) =>
        MetaIterationBenchmark.PaperOmniglot(threads, metaIters: 1) with
        {
            Classes = classes, Shots = shots, EvalBatch = evalBatch, EvalIters = evalIters, Transductive = transductive,
        };

    /// <summary>What <see cref="MultiplyAddsPerTask"/> counts, for the output.</summary>
    public static string Counted(FewShotEvaluator evaluator) =>
        $"multiply-adds ×2 of the convolution and linear products: forward, weight-gradient and input-gradient (not the first " +
        $"layer's) products of {evaluator.Iterations} fine-tuning steps on batches of {evaluator.BatchSize}, and the prediction forwards (" +
        (evaluator.Transductive
            ? $"the {evaluator.Ways} held-out images in one batch"
            : $"{evaluator.Ways} batches of {evaluator.Ways * evaluator.Shots + 1} images: the training images and one held-out image") +
        "); batch norm, relu, im2col and the optimizer not counted";

    /// <summary>
    /// The multiply-adds of one evaluation task's matrix products, from the model's layer shapes and the protocol: each
    /// fine-tuning step runs every convolution's and linear layer's forward product, its weight-gradient product (as
    /// many multiply-adds) and, for all but the first (whose input is the images, which need no gradient), its
    /// input-gradient product, on a batch; then the predictions run forward products only, non-transductive on one batch
    /// of the N·K training images and one held-out image per class, transductive on the N held-out images once.
    /// </summary>
    public static double MultiplyAddsPerTask(Sequential model, int height, int width, FewShotEvaluator evaluator)
    {
        double forward = 0, inputGradients = 0; // per image
        bool first = true;
        int h = height, w = width;
        foreach (var layer in model.Layers)
        {
            double products;
            switch (layer)
            {
                case Conv2d conv:
                    h = Convolution.OutputSize(h, conv.KernelSize, conv.Stride, conv.Padding);
                    w = Convolution.OutputSize(w, conv.KernelSize, conv.Stride, conv.Padding);
                    products = (double)conv.OutChannels * conv.InChannels * conv.KernelSize * conv.KernelSize * h * w;
                    break;
                case MaxPool2d pool:
                    h = Pooling.OutputSize(h, pool.Size, pool.Stride, pool.CeilMode);
                    w = Pooling.OutputSize(w, pool.Size, pool.Stride, pool.CeilMode);
                    continue;
                case Linear linear:
                    products = (double)linear.InFeatures * linear.OutFeatures;
                    break;
                default:
                    continue;
            }
            forward += products;
            if (!first) inputGradients += products;
            first = false;
        }
        double fineTuning = (double)evaluator.Iterations * evaluator.BatchSize * (2 * forward + inputGradients);
        int predicted = evaluator.Transductive ? evaluator.Ways : evaluator.Ways * (evaluator.Ways * evaluator.Shots + 1);
        return fineTuning + predicted * forward;
    }

    /// <summary>Evaluates <paramref name="warmup"/> + <paramref name="tasks"/> tasks in one call on
    /// <paramref name="threads"/> threads and times the last <paramref name="tasks"/>, after calls of one task per
    /// thread until the JIT is done (<see cref="JitWarmUp"/>).</summary>
    public static Result Measure(FewShotEvaluator evaluator, FewShotDataset data, Sequential model, Optimizer optimizer, int tasks, int warmup,
        int threads, IProgress<TrainingProgress>? progress = null)
    {
        if (tasks < threads) throw new ArgumentException($"Time at least one task per thread ({threads}), got {tasks}.", nameof(tasks));
        Action<int, Rng> seedTask = (k, rng) => rng.Reseed(0xE7A1, (ulong)k);
        JitWarmUp.Run(() => evaluator.Evaluate(data, model, optimizer, threads, seedTask, threads), 1);
        var clock = new TaskClock(warmup, tasks, progress);
        evaluator.Evaluate(data, model, optimizer, warmup + tasks, seedTask, threads, clock);
        // Median over rounds of one task per thread: wall / tasks, like the mean.
        var rounds = new double[tasks / threads];
        for (int r = 0; r < rounds.Length; r++) rounds[r] = clock.Milliseconds(warmup + r * threads, warmup + (r + 1) * threads) / threads;
        Array.Sort(rounds);
        double mean = clock.Milliseconds(warmup, warmup + tasks) / tasks;
        return new Result(threads, tasks, rounds[rounds.Length / 2], mean, clock.TimedBytes / (double)tasks,
            MultiplyAddsPerTask(model, data.Height, data.Width, evaluator));
    }

    /// <summary>
    /// Stamps each finished task (by its rank in finishing order) and adds up what the evaluating threads allocate
    /// between their reports once the warm-up is over. Each thread reads its own counter when it reports, before and
    /// after the display's work: the display (Spectre's refresh thread, the printed lines) allocates too, so a
    /// process-wide count around the timed tasks would measure it instead of the evaluation.
    /// </summary>
    private sealed class TaskClock(int warmup, int tasks, IProgress<TrainingProgress>? display) : IProgress<int>
    {
        [ThreadStatic] private static TaskClock? owner;
        [ThreadStatic] private static long mark;
        private readonly long[] finished = new long[warmup + tasks + 1];
        private readonly long start = Stopwatch.GetTimestamp();
        private readonly Lock gate = new();
        private long timedBytes;

        public long TimedBytes => Interlocked.Read(ref timedBytes);

        public double Milliseconds(int from, int to) => Stopwatch.GetElapsedTime(finished[from], finished[to]).TotalMilliseconds;

        public void Report(int done)
        {
            finished[done] = Stopwatch.GetTimestamp();
            // The bytes this thread allocated since it last reported: its task's, on a thread that reported before.
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            if (done > warmup && owner == this) Interlocked.Add(ref timedBytes, allocated - mark);
            if (display != null)
                lock (gate) display.Report(new TrainingProgress(done, warmup + tasks, float.NaN, Stopwatch.GetElapsedTime(start)));
            owner = this;
            mark = GC.GetAllocatedBytesForCurrentThread();
        }
    }
}
