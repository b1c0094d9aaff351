using System.Diagnostics;
using Reptile.Distributed;
using Reptile.Layers;
using Reptile.Cli;
using Reptile.Meta;

namespace Reptile.Bench;

/// <summary>
/// `allgather [--ways N] [--meta-batch N] [--reps N]`, run under `mpirun -np R`: times
/// <see cref="MpiProcessGroup.AllGather"/> of the byte counts a <see cref="DistributedScheduler"/> exchanges per
/// meta-iteration of the paper's N-way Omniglot model with Adam (per task W_t, the loss, Adam's two moment buffers
/// and the step count: 4 (3P + 1) + 8 bytes), each gather after a barrier; rank 0 prints the median and quartiles.
/// Without mpirun it only prints the byte counts.
/// </summary>
internal static class AllGatherTiming
{
    public static int Run(string[] args)
    {
        int ways = int.Parse(Option(args, "--ways") ?? "5");
        int metaBatch = int.Parse(Option(args, "--meta-batch") ?? "5");
        int reps = int.Parse(Option(args, "--reps") ?? "500");

        var options = MetaIterationBenchmark.PaperOmniglot(threads: 1, metaIters: 1) with { Classes = ways, MetaBatch = metaBatch };
        int parameters = Models.Omniglot(ways).ParameterCount;
        var optimizer = options.CreateInnerOptimizer(parameters);
        long floats = parameters + 1L + optimizer.LiveState.Sum(s => (long)s.Values.Length);
        int taskBytes = (int)(4 * floats + 8);
        long total = (long)taskBytes * metaBatch;

        if (!MpiProcessGroup.IsLaunchedByMpirun)
        {
            Console.WriteLine($"{ways}-way Omniglot: {parameters} parameters, {optimizer.LiveState.Count} state buffer(s) sent; " +
                              $"{taskBytes} bytes per task, {total} bytes per meta-batch of {metaBatch}. Run under mpirun to time the gather.");
            return 0;
        }

        using var group = MpiProcessGroup.InitializeWorld();
        var counts = new int[group.Size];
        for (int q = 0; q < group.Size; q++)
            counts[q] = (ProcessShares.Start(metaBatch, group.Size, q + 1) - ProcessShares.Start(metaBatch, group.Size, q)) * taskBytes;
        var mine = new byte[counts[group.Rank]];
        var all = new byte[total];
        Random.Shared.NextBytes(mine);

        for (int i = 0; i < 20; i++) group.AllGather(mine, all, counts);
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            group.Barrier();
            long start = Stopwatch.GetTimestamp();
            group.AllGather(mine, all, counts);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        if (group.Rank == 0)
            Console.WriteLine($"{ways}-way, {parameters} parameters, meta-batch {metaBatch} on {group.Size} ranks: " +
                              $"{total} bytes gathered ({counts[0]} from rank 0); {reps} gathers: median {times[reps / 2]:F1} µs, " +
                              $"quartiles {times[reps / 4]:F1}–{times[3 * reps / 4]:F1}, min {times[0]:F1} " +
                              $"({total / times[reps / 2] / 1e3:F2} GB/s of the gathered total)");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
