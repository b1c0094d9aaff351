using System.CommandLine;
using Reptile.Data;
using Reptile.Kernels;
using Reptile.Meta;

namespace Reptile.Cli.Commands;

/// <summary>`reptile bench omniglot|miniimagenet|sine`: meta-iterations per second of the paper's workloads.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Time meta-iterations of the paper's workloads");
        command.Subcommands.Add(Workload("omniglot", "The paper's 5-way Omniglot meta-iteration: 5 tasks × 5 Adam steps × batch 10 (real data from --data, or synthetic data of the same shape)", 50));
        command.Subcommands.Add(Workload("miniimagenet", "The paper's 5-way Mini-ImageNet meta-iteration: 5 tasks × 8 Adam steps × batch 10 from 15-shot tasks of 84×84 RGB (--data: a folder of class folders of colour images, else synthetic images of the same shape)", 10));
        command.Subcommands.Add(Workload("sine", "The sine demo's meta-iteration: 5 SGD steps on batches of 10 plus the interpolation", 20_000));
        return command;
    }

    private static Command Workload(string name, string description, int defaultIters)
    {
        var threads = CliOptions.Positive("--threads", "Threads (results do not depend on it)", 1);
        var iters = CliOptions.Positive("--iters", "Timed meta-iterations", defaultIters);
        var data = new Option<string?>("--data") { Description = name == "omniglot" ? "Omniglot folder (without it: synthetic images of the same shape)" : "Folder of class folders of colour images, read at 84×84 (without it: synthetic images of the same shape)" };
        var json = new Option<string?>("--json") { Description = "Write the result as JSON to this file" };
        var innerState = new Option<InnerStateMode>("--inner-state") { Description = "Omniglot: Chained (supervised-reptile; threads split the products) or Averaged (threads run the tasks)", DefaultValueFactory = _ => InnerStateMode.Chained };
        var command = new Command(name, description) { threads, iters, json };
        if (name != "sine") { command.Options.Add(data); command.Options.Add(innerState); }
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            int t = parse.GetValue(threads), n = parse.GetValue(iters);
            ReptileTrainer trainer;
            string workload;
            if (name == "sine")
            {
                if (t > 1) Console.WriteLine("note: a sine meta-iteration is one task; it runs on one thread.");
                trainer = MetaIterationBenchmark.SineTrainer();
                workload = "sine";
            }
            else if (name == "miniimagenet")
            {
                var folder = parse.GetValue(data);
                var train = folder != null ? ImageFolderDataset.Load(folder, 84, 84, channels: 3) : MetaIterationBenchmark.SyntheticMiniImageNet();
                workload = folder != null ? "miniimagenet-5way (84×84×3 images from --data)" : "miniimagenet-5way (synthetic 84×84×3 data)";
                var group = MpiLaunch.Join();
                if (group != null && parse.GetValue(innerState) != InnerStateMode.Averaged) throw new UsageException(MpiLaunch.ChainedStateRefusal);
                trainer = MetaIterationBenchmark.MiniImageNetTrainer(train, t, parse.GetValue(innerState), group: group);
                workload += $", inner state {parse.GetValue(innerState)}" + (group == null ? "" : $", {group.Size} MPI ranks");
            }
            else
            {
                var folder = parse.GetValue(data);
                FewShotDataset train;
                if (folder != null)
                {
                    train = ClassSplit.Omniglot(OmniglotDataset.Load(folder), seed: 0).Train;
                    workload = "omniglot-5way (real data)";
                }
                else
                {
                    train = MetaIterationBenchmark.SyntheticOmniglot();
                    workload = "omniglot-5way (synthetic 28×28 data)";
                }
                var group = MpiLaunch.Join();
                if (group != null && parse.GetValue(innerState) != InnerStateMode.Averaged) throw new UsageException(MpiLaunch.ChainedStateRefusal);
                trainer = MetaIterationBenchmark.OmniglotTrainer(train, t, parse.GetValue(innerState), group: group);
                workload += $", inner state {parse.GetValue(innerState)}" + (group == null ? "" : $", {group.Size} MPI ranks");
            }
            int warmup = Math.Max(3, n / 10);
            Console.WriteLine($"{workload}: {warmup} warm-up + {n} timed meta-iterations on {t} thread(s), SIMD path {Simd.Best} ({BuildInfo.Compilation})");
            var result = ConsoleProgress.Run("benchmark", p => MetaIterationBenchmark.Measure(workload, trainer, n, warmup, p));
            Console.WriteLine($"{result.MedianMs:F3} ms per meta-iteration (median; mean {result.MeanMs:F3}), {result.IterationsPerSecond:F1} meta-iterations/s");
            if (parse.GetValue(json) is { } path)
                JsonReport.Write(path, new Dictionary<string, object>
                {
                    ["workload"] = workload,
                    ["threads"] = t,
                    ["ms_per_meta_iter"] = result.MedianMs,
                    ["meta_iters_per_s"] = result.IterationsPerSecond,
                });
            return ExitCodes.Success;
        }));
        return command;
    }
}
