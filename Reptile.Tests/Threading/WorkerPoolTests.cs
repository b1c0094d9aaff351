using Reptile.Autograd;
using Reptile.Kernels;
using Reptile.Layers;
using Reptile.Objectives;
using Reptile.Optim;
using Reptile.Tests.Support;
using Reptile.Threading;

namespace Reptile.Tests.Threading;

public class WorkerPoolTests
{
    /// <summary>Writes a value per index computed with the thread's SIMD kernels and notes which thread ran it.</summary>
    private readonly struct Squares(float[] output, int[] threadIds) : IRangeBody
    {
        public void Run(int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                output[i] = MathF.Sqrt(i) * 1.1f + i;
                threadIds[i] = Environment.CurrentManagedThreadId;
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ForCoversTheRangeOnceInPiecesCutOnTheGrain(int threads)
    {
        foreach (var (count, grain) in new[] { (100_000, 64), (100_001, 64), (40_000, 1), (129, 64), (5, 1) })
        {
            var visits = new int[count];
            var cutsAt = new List<int>();
            using (WorkerPool.Use(threads))
                WorkerPool.For(count, grain, long.MaxValue, new Visits(visits, cutsAt));
            Assert.All(visits, v => Assert.Equal(1, v));
            int parts = Math.Max(1, Math.Min(threads, count / grain));
            Assert.True(cutsAt.Count >= parts, $"{cutsAt.Count} pieces for {parts} parts");
            Assert.All(cutsAt, cut => Assert.True(cut % grain == 0, $"cut {cut} off the grain {grain}"));
        }
    }

    private readonly struct Visits(int[] visits, List<int> starts) : IRangeBody
    {
        public void Run(int from, int to)
        {
            lock (starts) starts.Add(from);
            for (int i = from; i < to; i++) Interlocked.Increment(ref visits[i]);
        }
    }

    /// <summary>Which thread ran each index, and where each thread's first piece started.</summary>
    private sealed class Pieces(int count)
    {
        public readonly int[] RanBy = new int[count];
        public readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> FirstFrom = new();
        public int Caller = Environment.CurrentManagedThreadId;
    }

    /// <summary>The caller's first piece waits until a helper has started one (so the helper surely takes part); a
    /// helper's first piece then stalls for <paramref name="helperStall"/> ms.</summary>
    private readonly struct MeetHelper(Pieces pieces, int helperStall) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int me = Environment.CurrentManagedThreadId;
            var p = pieces;
            if (p.FirstFrom.TryAdd(me, from))
            {
                if (me == p.Caller) Assert.True(SpinWait.SpinUntil(() => p.FirstFrom.Count > 1, 10_000), "no helper started");
                else Thread.Sleep(helperStall);
            }
            for (int i = from; i < to; i++) p.RanBy[i] = me;
        }
    }

    [Fact]
    public void AThreadThatFallsBehindIsNotWaitedFor()
    {
        // A thread that starts late or runs slower would hold the whole For back under a fixed cut:
        // the caller, done with its own half, takes the rest of the stalled helper's.
        var pieces = new Pieces(64);
        using (WorkerPool.Use(2))
            WorkerPool.For(64, 1, long.MaxValue, new MeetHelper(pieces, 200));
        int byCaller = pieces.RanBy.Count(id => id == pieces.Caller);
        Assert.True(byCaller >= 48, $"the caller ran {byCaller} of 64 indices while the helper stalled on its first piece");
        Assert.All(pieces.RanBy, id => Assert.NotEqual(0, id));
    }

    [Fact]
    public void ASplitForStartsEachThreadOnItsOwnKindOfItem()
    {
        var pieces = new Pieces(10);
        using (WorkerPool.Use(2))
            WorkerPool.For(10, 1, long.MaxValue, new MeetHelper(pieces, 0), split: 7);
        Assert.Equal(0, pieces.FirstFrom[pieces.Caller]);
        Assert.Equal(7, pieces.FirstFrom.Single(kv => kv.Key != pieces.Caller).Value);
        Assert.All(pieces.RanBy, id => Assert.NotEqual(0, id));
    }

    [Fact]
    public void ForRunsPartsOnOtherThreadsAndInlineWithoutAScopeOrForSmallWork()
    {
        var pieces = new Pieces(1 << 16);
        using (WorkerPool.Use(2))
            WorkerPool.For(pieces.RanBy.Length, 64, pieces.RanBy.Length, new MeetHelper(pieces, 0));
        Assert.Equal(2, pieces.RanBy.Distinct().Count());
        Assert.Equal(Environment.CurrentManagedThreadId, pieces.RanBy[0]);

        var output = new float[1 << 16];
        var ids = new int[output.Length];
        WorkerPool.For(output.Length, 64, output.Length, new Squares(output, ids));
        Assert.Single(ids.Distinct());
        using (WorkerPool.Use(2))
            WorkerPool.For(output.Length, 64, WorkerPool.MinWork - 1, new Squares(output, ids));
        Assert.Single(ids.Distinct());
    }

    /// <summary>A For inside a part (a task worker's own ops) runs inline: the pool's threads are busy.</summary>
    private readonly struct Nested(int[] innerThreads) : IRangeBody
    {
        public void Run(int from, int to)
        {
            if (from != 0) return;
            innerThreads[0] = WorkerPool.Threads;
            var ids = new int[1 << 16];
            WorkerPool.For(ids.Length, 64, long.MaxValue, new Squares(new float[ids.Length], ids));
            innerThreads[1] = ids.Distinct().Count();
        }
    }

    [Fact]
    public void ANestedForRunsInline()
    {
        var inner = new int[2];
        using (WorkerPool.Use(2))
        {
            WorkerPool.For(2, 1, long.MaxValue, new Nested(inner));
            Assert.Equal(2, WorkerPool.Threads); // the scope is intact after the For
        }
        Assert.Equal(new[] { 1, 1 }, inner);
        Assert.Equal(1, WorkerPool.Threads);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void SplitProductsEqualTheSingleThreadProductBitForBitOnEveryPath(int threads)
    {
        var rng = new Random(5);
        // The Omniglot model's convolution products (forward, weight gradient, data gradient) and a tall one.
        var shapes = new (int M, int N, int K, bool TA, bool TB)[]
        {
            (64, 490, 576, false, false), (64, 576, 490, false, true), (576, 490, 64, true, false),
            (64, 160, 576, false, false), (64, 40, 576, false, false), (64, 9, 1960, false, true), (2000, 24, 30, false, false),
        };
        SimdPaths.ForEach(path =>
        {
            foreach (var (m, n, k, ta, tb) in shapes)
            {
                Assert.True(Gemm.Split(m, n, k, threads).Parts > 1, $"{m}×{n}×{k} is not split: the test would prove nothing");
                var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
                var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
                var start = Enumerable.Range(0, m * n).Select(_ => (float)rng.NextDouble()).ToArray();
                foreach (bool accumulate in new[] { false, true })
                {
                    var whole = (float[])start.Clone();
                    Gemm.Multiply(a, ta, b, tb, whole, m, n, k, accumulate);
                    var split = (float[])start.Clone();
                    using (WorkerPool.Use(threads))
                        ParallelKernels.Gemm(a, ta, b, tb, split, m, n, k, accumulate);
                    Assert.True(whole.SequenceEqual(split), $"{path} {threads} threads {m}×{n}×{k} transA={ta} transB={tb} accumulate={accumulate}");
                }
            }
        });
    }

    [Fact]
    public void SplitLoweringEqualsTheSingleThreadLoweringBitForBit()
    {
        var rng = new Random(6);
        var plan = new ConvolutionPlan(10, 14, 14, 3, 3, 2, 1);
        int channels = 64;
        var x = Enumerable.Range(0, channels * 10 * 14 * 14).Select(_ => (float)rng.NextDouble()).ToArray();
        var whole = new float[channels * 9 * plan.Columns];
        Convolution.Im2Col(x, channels, plan, whole);
        foreach (int threads in new[] { 2, 3 })
        {
            var split = new float[whole.Length];
            using (WorkerPool.Use(threads)) ParallelKernels.Im2Col(x, channels, plan, split);
            Assert.True(whole.SequenceEqual(split), $"im2col on {threads} threads");
        }
        var back = new float[x.Length];
        Convolution.Col2Im(whole, channels, plan, back);
        foreach (int threads in new[] { 2, 3 })
        {
            var split = new float[x.Length];
            using (WorkerPool.Use(threads)) ParallelKernels.Col2Im(whole, channels, plan, split);
            Assert.True(back.SequenceEqual(split), $"col2im on {threads} threads");
        }
    }

    private sealed class PartFailed(string message) : Exception(message);

    /// <summary>Fails on the piece holding <paramref name="index"/>, whichever thread runs it; with -1, on every piece.</summary>
    private readonly struct FailsAt(int index) : IRangeBody
    {
        public void Run(int from, int to)
        {
            if (index < 0) throw new PartFailed($"piece from {from} failed");
            if (from <= index && index < to) throw new PartFailed($"the piece holding {index} failed");
        }
    }

    [Fact]
    public void AnExceptionInAWorkersPartIsRethrownOnTheCallerAndThePoolStaysUsable()
    {
        using (WorkerPool.Use(2))
        {
            var e = Assert.Throws<PartFailed>(() => WorkerPool.For(1000, 1, long.MaxValue, new FailsAt(700)));
            Assert.Equal("the piece holding 700 failed", e.Message);
            // Every piece fails: the caller's own (its first starts at 0) wins, and the helper is still waited for.
            e = Assert.Throws<PartFailed>(() => WorkerPool.For(1000, 1, long.MaxValue, new FailsAt(-1)));
            Assert.Equal("piece from 0 failed", e.Message);

            var pieces = new Pieces(1 << 16);
            WorkerPool.For(pieces.RanBy.Length, 64, long.MaxValue, new MeetHelper(pieces, 0));
            Assert.Equal(2, pieces.RanBy.Distinct().Count());
        }
    }

    /// <summary>Notes, per item, the settings the kernels would use on the thread running it. Item 0 (the caller's)
    /// waits until item 1 is done, so the helper surely ran item 1; <paramref name="seen"/> must be cleared before each
    /// call.</summary>
    private readonly struct SettingsSeen(ComputeSettings?[] seen, SimdPath[] paths) : IRangeBody
    {
        public void Run(int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                paths[i] = Simd.Current;
                Volatile.Write(ref seen[i], ComputeSettings.Current);
                if (i == 0)
                {
                    var s = seen;
                    Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref s[1]) != null, 10_000), "the helper never ran item 1");
                }
            }
        }
    }

    [Fact]
    public void WorkersComputeOnTheCallersSettings()
    {
        // The narrowest path (a forced one whenever this machine has a wider one) and a changed product knob.
        var settings = ComputeSettings.Current with { Path = Simd.Available[0], SmallProductVolume = 12345 };
        var seen = new ComputeSettings?[2];
        var paths = new SimdPath[2];
        using (ComputeSettings.Use(settings))
        using (WorkerPool.Use(2))
            WorkerPool.For(2, 1, long.MaxValue, new SettingsSeen(seen, paths));
        Assert.Same(settings, seen[0]);
        Assert.Same(settings, seen[1]);
        Assert.Equal([Simd.Available[0], Simd.Available[0]], paths);

        // Simd.Force, as the kernel tests use it, is a change of the caller's settings like any other.
        foreach (var path in Simd.Available)
        {
            Array.Clear(seen);
            using (Simd.Force(path))
            using (WorkerPool.Use(2))
                WorkerPool.For(2, 1, long.MaxValue, new SettingsSeen(seen, paths));
            Assert.Equal([path, path], paths);
        }

        // The next caller's settings replace them: a worker keeps nothing from the last hand-over.
        Array.Clear(seen);
        using (WorkerPool.Use(2))
            WorkerPool.For(2, 1, long.MaxValue, new SettingsSeen(seen, paths));
        Assert.Same(ComputeSettings.Default, seen[1]);
        Assert.Equal(Simd.Best, paths[1]);
    }

    [Fact]
    public void ForAllocatesNothingOnceWarm()
    {
        var output = new float[1 << 16];
        var ids = new int[output.Length];
        BlockingWaits.Warm(2);
        using (WorkerPool.Use(2))
        {
            WorkerPool.For(output.Length, 64, long.MaxValue, new Squares(output, ids));
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
                WorkerPool.For(output.Length, 64, long.MaxValue, new Squares(output, ids));
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    /// <summary>A model replica training on its own batch, as a meta-batch's task does.</summary>
    private sealed class TaskReplica(int seed)
    {
        public readonly Sequential Model = Models.Omniglot(5).Initialize(new Rng(1));
        private readonly Tape tape = new();
        private readonly Tensor input = GradientCheck.RandomTensor(new Rng((ulong)seed), false, 10, 1, 28, 28);
        private readonly CrossEntropyLoss loss = new() { Labels = Enumerable.Range(0, 10).Select(i => (i + seed) % 5).ToArray() };
        private Optimizer optimizer = null!;

        public TaskReplica Reset()
        {
            Models.Omniglot(5).Initialize(new Rng(1)).Parameters.CopyTo(Model.Parameters, 0);
            optimizer = new Adam(Model.ParameterCount, 1e-3f);
            return this;
        }

        public void Train()
        {
            for (int step = 0; step < 3; step++) SupervisedStep.Run(Model, optimizer, tape, input, loss);
        }
    }

    /// <summary>Tasks [from, to), each on the thread running its part (how Meta's task workers can use the pool).</summary>
    private readonly struct TaskWorkers(TaskReplica[] tasks) : IRangeBody
    {
        public void Run(int from, int to)
        {
            for (int t = from; t < to; t++) tasks[t].Train();
        }
    }

    [Fact]
    public void TasksOnTheirOwnThreadsAndTasksWithTheirOpsSplitTrainExactlyAsOnOneThread()
    {
        var tasks = new[] { new TaskReplica(2), new TaskReplica(3) };
        foreach (var task in tasks) task.Reset().Train();
        var reference = tasks.Select(t => t.Model.Parameters.ToArray()).ToArray();

        // Task workers: one task per thread; each task's ops run inline on its thread (a nested For).
        foreach (var task in tasks) task.Reset();
        using (WorkerPool.Use(2))
            WorkerPool.For(tasks.Length, 1, long.MaxValue, new TaskWorkers(tasks));
        for (int t = 0; t < tasks.Length; t++)
            Assert.True(reference[t].SequenceEqual(tasks[t].Model.Parameters), $"task {t} on its own thread");

        // Chained: tasks one after another, each op split over the pool.
        foreach (var task in tasks) task.Reset();
        using (WorkerPool.Use(2))
            foreach (var task in tasks) task.Train();
        for (int t = 0; t < tasks.Length; t++)
            Assert.True(reference[t].SequenceEqual(tasks[t].Model.Parameters), $"task {t} with its ops split");
    }
}
