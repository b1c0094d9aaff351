using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace Reptile.Bench;

/// <summary>
/// `ab BEFORE AFTER --data DIR [--threads N] [--blocks N] [--inner-state Chained|Averaged]`: the paper's Omniglot
/// meta-iteration of two builds (folders holding their Reptile.Core.dll, e.g. `dotnet build Reptile.Cli -c Release
/// -o DIR`) run in ONE process, in alternating blocks of four meta-iterations. This host's speed changes by tens of
/// percent within minutes, so separate runs of two builds cannot be compared; interleaved blocks see the same
/// machine. Prints each build's median and the median (and quartiles) of the per-block ratio AFTER / BEFORE.
/// </summary>
internal static class BuildComparison
{
    private const int BlockSize = 4;

    public static int Run(string[] args)
    {
        var folders = args.TakeWhile(a => !a.StartsWith("--")).ToArray();
        string? data = Option(args, "--data");
        if (folders.Length != 2 || data == null)
        {
            Console.Error.WriteLine("usage: ab BEFORE_DIR AFTER_DIR --data OMNIGLOT_DIR [--threads N] [--blocks N] [--inner-state Chained|Averaged]");
            return 2;
        }
        int threads = int.Parse(Option(args, "--threads") ?? "1");
        int blocks = int.Parse(Option(args, "--blocks") ?? "25");
        string mode = Option(args, "--inner-state") ?? "Chained";
        foreach (var folder in folders)
            if (!File.Exists(Path.Combine(folder, "Reptile.Core.dll")))
            {
                Console.Error.WriteLine($"ab: {folder} holds no Reptile.Core.dll (build one with `dotnet build Reptile.Cli -c Release -o {folder}`).");
                return 2;
            }

        var steps = folders.Select(f => Trainer(f, data, threads, mode)).ToArray();
        // Both builds in turn until the JIT has compiled nothing for a while: tiered compilation's background thread
        // would otherwise take a core from the first blocks.
        Reptile.Cli.JitWarmUp.Run(() => { foreach (var step in steps) step(); }, 8);

        var times = new[] { new List<double>(), new List<double>() };
        var ratios = new List<double>();
        for (int block = 0; block < blocks; block++)
        {
            var means = new double[2];
            for (int turn = 0; turn < 2; turn++)
            {
                int v = block % 2 == 0 ? turn : 1 - turn; // alternate which build goes first
                steps[v](); // untimed: wakes this build's helper thread after the other build's block
                double sum = 0;
                for (int i = 0; i < BlockSize; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    steps[v]();
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    times[v].Add(ms);
                    sum += ms;
                }
                means[v] = sum / BlockSize;
            }
            ratios.Add(means[1] / means[0]);
        }
        for (int v = 0; v < 2; v++)
            Console.WriteLine($"{folders[v]}: median {Median(times[v]):F2} ms per meta-iteration ({threads} thread(s), {mode})");
        ratios.Sort();
        Console.WriteLine($"after / before, per block: median {ratios[ratios.Count / 2]:F3}, quartiles {ratios[ratios.Count / 4]:F3}–{ratios[3 * ratios.Count / 4]:F3} ({blocks} blocks of {BlockSize})");
        return 0;
    }

    /// <summary>One Omniglot trainer of the build in <paramref name="folder"/>, reached by reflection in its own load context
    /// (so the calls tolerate the API of older builds: optional parameters added since, types that moved).</summary>
    private static Action Trainer(string folder, string data, int threads, string mode)
    {
        var context = new BuildContext(folder);
        var core = context.LoadFromAssemblyPath(Path.GetFullPath(Path.Combine(folder, "Reptile.Core.dll")));
        var all = Call(core.GetType("Reptile.Data.OmniglotDataset")!, "Load", data);
        // Builds before ClassSplit had OmniglotSplit.Create(all, seed, trainClasses, augmentRotations).
        var split = core.GetType("Reptile.Data.ClassSplit") is { } classSplit
            ? Call(classSplit, "Omniglot", all, 0)
            : Call(core.GetType("Reptile.Data.OmniglotSplit")!, "Create", all, 0, 1200, true);
        var train = split.GetType().GetField("Item1")!.GetValue(split);
        var stateMode = Enum.Parse(core.GetType("Reptile.Meta.InnerStateMode")!, mode);
        // The workloads lived in Reptile.Core before they moved to the reptile command.
        var workloads = core.GetType("Reptile.Meta.MetaIterationBenchmark")
            ?? context.LoadFromAssemblyPath(Path.GetFullPath(Path.Combine(folder, "reptile.dll"))).GetType("Reptile.Cli.MetaIterationBenchmark")!;
        var trainer = Call(workloads, "OmniglotTrainer", train, threads, stateMode, 100_000);
        var step = (Func<float>)Delegate.CreateDelegate(typeof(Func<float>), trainer, trainer.GetType().GetMethod("Step")!);
        return () => step();
    }

    /// <summary>Calls the public static method <paramref name="name"/>, the parameters after those given taking their defaults.</summary>
    private static object Call(Type type, string name, params object?[] args)
    {
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == name);
        var parameters = method.GetParameters();
        var all = parameters.Select((p, i) => i < args.Length ? args[i] : p.DefaultValue).ToArray();
        return method.Invoke(null, all)!;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Resolves the build's own Reptile assemblies (and its System.Numerics.Tensors) from its folder.</summary>
    private sealed class BuildContext(string folder) : AssemblyLoadContext(isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.GetFullPath(Path.Combine(folder, name.Name + ".dll"));
            bool own = name.Name!.StartsWith("Reptile", StringComparison.OrdinalIgnoreCase) || name.Name == "System.Numerics.Tensors"; // reptile.dll too
            return own && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
