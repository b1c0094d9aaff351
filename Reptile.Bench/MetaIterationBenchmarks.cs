using BenchmarkDotNet.Attributes;
using Reptile.Data;
using Reptile.Cli;
using Reptile.Meta;

namespace Reptile.Bench;

/// <summary>
/// Whole meta-iterations of the paper's workloads, with allocations (steady state must show 0 B for the
/// sequential paths). Omniglot uses real data when $REPTILE_DATA/data/omniglot or ../shared/data/omniglot
/// exists, synthetic 28×28 images of the same shape otherwise (the summary's job name does not say which:
/// `reptile bench omniglot` does).
/// </summary>
[MemoryDiagnoser]
public class MetaIterationBenchmarks
{
    private ReptileTrainer sine = null!, omniglot = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        sine = MetaIterationBenchmark.SineTrainer();
        omniglot = MetaIterationBenchmark.OmniglotTrainer(TrainSet(), Threads, Threads > 1 ? InnerStateMode.Averaged : InnerStateMode.Chained);
    }

    [Benchmark]
    public float SineMetaIteration() => sine.Step();

    [Benchmark]
    public float OmniglotMetaIteration() => omniglot.Step();

    internal static FewShotDataset TrainSet()
    {
        foreach (var root in new[] { Environment.GetEnvironmentVariable("REPTILE_DATA"), FindShared() })
        {
            var folder = root == null ? null : Path.Combine(root, "data", "omniglot");
            if (folder != null && Directory.Exists(folder))
                return ClassSplit.Omniglot(OmniglotDataset.Load(folder), seed: 0).Train;
        }
        return MetaIterationBenchmark.SyntheticOmniglot();
    }

    private static string? FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Reptile.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
        return null;
    }
}
