using System.CommandLine;
using Reptile.Data;
using Reptile.Kernels;
using Reptile.Meta;

namespace Reptile.Cli.Commands;

/// <summary>`reptile bench omniglot|miniimagenet|sine`: meta-iterations per second of the paper's workloads;
/// `reptile bench evaluation`: the time of its evaluation tasks.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Time meta-iterations of the paper's workloads");
        command.Subcommands.Add(Workload("omniglot", "The paper's 5-way Omniglot meta-iteration: 5 tasks × 5 Adam steps × batch 10 (real data from --data, or synthetic data of the same shape)", 50));
        command.Subcommands.Add(Workload("miniimagenet", "The paper's 5-way Mini-ImageNet meta-iteration: 5 tasks × 8 Adam steps × batch 10 from 15-shot tasks of 84×84 RGB (--data: a folder of class folders of colour images, else synthetic images of the same shape)", 10));
        command.Subcommands.Add(Workload("sine", "The sine demo's meta-iteration: 5 SGD steps on batches of 10 plus the interpolation", 20_000));
        command.Subcommands.Add(Evaluation());
        return command;
    }

    private static Command Evaluation()
    {
        var threads = CliOptions.Positive("--threads", "Threads; tasks are spread over them as in a run's final evaluation (results do not depend on it)", 1);
        var tasks = CliOptions.Positive("--tasks", "Timed evaluation tasks", 100);
        var data = new Option<string?>("--data") { Description = "Omniglot folder: tasks from its test classes (without it: synthetic images of the same shape)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Start from this checkpoint's weights and inner optimizer state (without it: a fresh 5-way model and Adam state)" };
        var classes = CliOptions.Positive("--classes", "N: classes per task", 5);
        var shots = CliOptions.Positive("--shots", "K: training images per class (one more is held out and predicted)", 1);
        var evalBatch = CliOptions.Positive("--eval-batch", "Images per fine-tuning batch", 5);
        var evalIters = CliOptions.NonNegative("--eval-iters", "Fine-tuning steps per task", 50);
        var transductive = new Option<bool>("--transductive") { Description = "Predict the held-out images in one batch" };
        var json = new Option<string?>("--json") { Description = "Write the result as JSON to this file" };
        var command = new Command("evaluation",
            "The paper's evaluation task (5-way 1-shot: 50 Adam steps on batches of 5, then the predictions), as a run's final evaluation runs it")
            { threads, tasks, data, checkpoint, classes, shots, evalBatch, evalIters, transductive, json };
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            int t = parse.GetValue(threads), n = parse.GetValue(tasks);
            if (n < t) throw new UsageException($"--tasks must be at least --threads ({t}), got {n}.");
            var options = EvaluationBenchmark.Options(parse.GetValue(classes), parse.GetValue(shots), parse.GetValue(evalBatch),
                parse.GetValue(evalIters), parse.GetValue(transductive), t);
            var folder = parse.GetValue(data);
            var set = folder != null ? ClassSplit.Omniglot(OmniglotDataset.Load(folder), seed: 0).Test : MetaIterationBenchmark.SyntheticOmniglot();
            Layers.Sequential model;
            Optim.Optimizer optimizer;
            if (parse.GetValue(checkpoint) is { } saved)
            {
                var description = ReptileCheckpoint.ReadDescription(saved);
                if ((description.InputChannels, description.InputHeight, description.InputWidth) != (set.Channels, set.Height, set.Width))
                    throw new UsageException($"The checkpoint's model takes {description.InputWidth}×{description.InputHeight}×{description.InputChannels} images; the benchmark's are Omniglot's {set.Width}×{set.Height}×{set.Channels}.");
                if (description.Classes != options.Classes)
                    throw new UsageException($"The checkpoint's model is {description.Classes}-way: pass --classes {description.Classes}.");
                model = description.BuildModel();
                optimizer = description.InnerOptimizer.Create(model.ParameterCount);
                ReptileCheckpoint.Load(saved, model, optimizer);
            }
            else
            {
                model = Layers.Models.Omniglot(options.Classes).Initialize(new Rng(0));
                optimizer = options.CreateInnerOptimizer(model.ParameterCount);
            }
            var evaluator = options.CreateEvaluator();
            string workload = $"evaluation {options.Classes}-way {options.Shots}-shot{(options.Transductive ? " transductive" : "")}, " +
                $"{options.EvalIters} steps × batch {options.EvalBatch} ({(folder != null ? "Omniglot test classes" : "synthetic 28×28 data")}" +
                $"{(parse.GetValue(checkpoint) != null ? ", checkpoint" : "")})";
            int warmup = Math.Max(3 * t, n / 10);
            Console.WriteLine($"{workload}: {warmup} warm-up (after the JIT is done) + {n} timed tasks on {t} thread(s), SIMD path {Simd.Best} ({BuildInfo.Compilation})");
            var result = ConsoleProgress.Run("benchmark", p => EvaluationBenchmark.Measure(evaluator, set, model, optimizer, n, warmup, t, p));
            Console.WriteLine($"{result.MedianMs:F3} ms per task (wall / tasks on {t} thread(s): median of rounds of {t}; mean {result.MeanMs:F3}), " +
                $"{result.GflopPerTask:F4} GFLOP per task, {result.GflopPerSecond:F2} GFLOP/s, {result.BytesPerTask:F0} B allocated per task");
            Console.WriteLine($"Counted: {EvaluationBenchmark.Counted(evaluator)}.");
            if (parse.GetValue(json) is { } path)
                JsonReport.Write(path, new Dictionary<string, object>
                {
                    ["workload"] = workload,
                    ["threads"] = t,
                    ["tasks"] = n,
                    ["ms_per_task"] = result.MedianMs,
                    ["ms_per_task_mean"] = result.MeanMs,
                    ["gflop_per_task"] = result.GflopPerTask,
                    ["gflop_per_s"] = result.GflopPerSecond,
                    ["bytes_per_task"] = result.BytesPerTask,
                });
            return ExitCodes.Success;
        }));
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
            Console.WriteLine($"{workload}: {warmup} or more warm-up (until the JIT is done) + {n} timed meta-iterations on {t} thread(s), SIMD path {Simd.Best} ({BuildInfo.Compilation})");
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
