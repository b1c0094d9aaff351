using System.CommandLine;
using Reptile.IO;
using Reptile.Meta;

namespace Reptile.Cli.Commands;

/// <summary>`reptile sine`: meta-learn sine-wave regression (the paper's toy problem) and report the MSE.</summary>
internal static class SineCommand
{
    public static Command Create()
    {
        var defaults = new SineExperimentOptions();
        var metaIters = CliOptions.Positive("--meta-iters", "Meta-iterations of training", defaults.MetaIterations);
        var seed = CliOptions.Seed();
        var innerLr = CliOptions.PositiveFloat("--inner-lr", "Inner-loop (and fine-tuning) SGD learning rate", defaults.InnerLearningRate);
        var metaStep = CliOptions.UnitInterval("--meta-step", "Initial meta step ε (annealed linearly to 0)", defaults.MetaStep);
        var evalTasks = CliOptions.Positive("--eval-tasks", "Fresh tasks to evaluate on", defaults.EvaluationTasks);
        var metaBatch = CliOptions.Positive("--meta-batch", "Tasks per meta-iteration (shared among MPI ranks under mpirun)", defaults.MetaBatch);
        var outDir = new Option<string?>("--out") { Description = "Folder for metrics.csv and sine.svg" };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file" };

        var command = new Command("sine", "Meta-learn sine-wave regression with Reptile (the paper's toy problem)")
        {
            metaIters, seed, innerLr, metaStep, evalTasks, metaBatch, outDir, json,
        };
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var options = new SineExperimentOptions
            {
                MetaIterations = parse.GetValue(metaIters),
                Seed = (ulong)parse.GetValue(seed),
                InnerLearningRate = parse.GetValue(innerLr),
                MetaStep = parse.GetValue(metaStep),
                EvaluationTasks = parse.GetValue(evalTasks),
                MetaBatch = parse.GetValue(metaBatch),
            };
            var group = MpiLaunch.Join();
            Console.WriteLine($"Reptile on sine waves: {options.MetaIterations} meta-iterations, seed {options.Seed}, inner lr {options.InnerLearningRate}, meta step {options.MetaStep} → 0");
            var result = ConsoleProgress.Run("meta-training", p => SineExperiment.Run(options, group == null || group.Rank == 0 ? p : null, default, group));
            double msPerIter = 1000 * result.TrainSeconds / options.MetaIterations;
            Console.WriteLine($"Trained in {result.TrainSeconds:F2} s ({msPerIter * 1000:F1} µs per meta-iteration)");
            Console.WriteLine($"MSE after {options.EvaluationSteps} steps on {options.EvaluationShots} points, over {options.EvaluationTasks} fresh tasks (mean ± 95% CI):");
            Console.WriteLine($"  Reptile init: {result.ReptileMse.Mean:F4} ± {result.ReptileMse.Ci95:F4}");
            Console.WriteLine($"  random init:  {result.RandomMse.Mean:F4} ± {result.RandomMse.Ci95:F4}");

            if (group != null && group.Rank != 0) return ExitCodes.Success;
            if (parse.GetValue(outDir) is { } dir)
            {
                result.Metrics.Write(Path.Combine(dir, "metrics.csv"));
                SinePlot(result.Example).Save(Path.Combine(dir, "sine.svg"));
                Console.WriteLine($"Wrote {Path.Combine(dir, "metrics.csv")} and {Path.Combine(dir, "sine.svg")}");
            }
            if (parse.GetValue(json) is { } jsonPath)
            {
                JsonReport.Write(jsonPath, new Dictionary<string, object>
                {
                    ["meta_iters"] = options.MetaIterations,
                    ["seed"] = options.Seed,
                    ["reptile_mse"] = result.ReptileMse.Mean,
                    ["reptile_mse_ci95"] = result.ReptileMse.Ci95,
                    ["random_mse"] = result.RandomMse.Mean,
                    ["random_mse_ci95"] = result.RandomMse.Ci95,
                    ["train_seconds"] = result.TrainSeconds,
                    ["ms_per_meta_iter"] = msPerIter,
                });
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The paper's Figure 1: the true curve, the support points and the predictions after 0 and 32 steps.</summary>
    internal static SvgChart SinePlot(SineEvaluator.Episode e)
    {
        var grid = SineWaveTask.Grid.Select(v => (double)v).ToArray();
        var fine = Enumerable.Range(0, 201).Select(i => -5 + i * 0.05).ToArray();
        return new SvgChart("Reptile on a new sine task", "x", "y")
            .Add("true function", fine, fine.Select(x => (double)e.Task.Evaluate((float)x)).ToArray(), SvgChart.Style.Line, "#222222")
            .Add($"{e.SupportX.Length} support points", e.SupportX.Select(v => (double)v).ToArray(), e.SupportY.Select(v => (double)v).ToArray(), SvgChart.Style.Markers, "#d62728")
            .Add("after 0 steps", grid, e.Before.Select(v => (double)v).ToArray(), SvgChart.Style.Dashed, "#1f77b4")
            .Add($"after {32} steps", grid, e.After.Select(v => (double)v).ToArray(), SvgChart.Style.Line, "#2ca02c");
    }
}
