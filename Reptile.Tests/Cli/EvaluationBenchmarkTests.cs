using System.Text.Json;
using Reptile.Cli;
using Reptile.Layers;
using Reptile.Tests.Support;

namespace Reptile.Tests.Cli;

/// <summary>`reptile bench evaluation` times the paper's evaluation tasks: its protocol, the work it counts, the command.</summary>
[Collection(ConsoleCollection.Name)]
public class EvaluationBenchmarkTests
{
    [Fact]
    public void TheDefaultTaskIsThePapers5Way1ShotEvaluation()
    {
        var options = EvaluationBenchmark.Options(5, 1, 5, 50, transductive: false, threads: 1);
        var evaluator = options.CreateEvaluator();
        Assert.Equal((5, 1, 5, 50, false, false), (evaluator.Ways, evaluator.Shots, evaluator.BatchSize, evaluator.Iterations,
            evaluator.Transductive, evaluator.Replacement));
        Assert.Equal((1e-3f, false), (options.LearningRate, options.Sgd));
    }

    [Fact]
    public void TheCountedWorkIsTheProductsOfTheFineTuningAndThePredictions()
    {
        var model = Models.Omniglot(5);
        var evaluator = EvaluationBenchmark.Options(5, 1, 5, 50, transductive: false, threads: 1).CreateEvaluator();
        // Multiply-adds per image forward: 64·1·9·14² + 64·64·9·7² + 64·64·9·4² + 64·64·9·2² + 256·5 = 2 657 792; the input
        // gradients skip the first layer: 2 544 896. 50 steps × 5 images × (2 · 2 657 792 + 2 544 896), then 5 batches of 6
        // images forward.
        Assert.Equal(50.0 * 5 * (2 * 2_657_792 + 2_544_896) + 30 * 2_657_792, EvaluationBenchmark.MultiplyAddsPerTask(model, 28, 28, evaluator));
        var transductive = EvaluationBenchmark.Options(5, 1, 5, 50, transductive: true, threads: 1).CreateEvaluator();
        Assert.Equal(50.0 * 5 * (2 * 2_657_792 + 2_544_896) + 5 * 2_657_792, EvaluationBenchmark.MultiplyAddsPerTask(model, 28, 28, transductive));
    }

    [Fact]
    public void TheCommandTimesTasksAndWritesJson()
    {
        var json = Path.Combine(Directory.CreateTempSubdirectory("reptile-bench-").FullName, "evaluation.json");
        var (code, output, error) = ConsoleCapture.Run(() => ReptileCli.Run(["bench", "evaluation", "--tasks", "2", "--eval-iters", "2", "--threads", "2", "--json", json]));
        Assert.True(code == 0, error);
        Assert.Contains("evaluation 5-way 1-shot", output);
        Assert.Contains("GFLOP per task", output);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(2, report.RootElement.GetProperty("threads").GetInt32());
        Assert.True(report.RootElement.GetProperty("ms_per_task").GetDouble() > 0);
        Assert.True(report.RootElement.GetProperty("gflop_per_s").GetDouble() > 0);

        var (refused, _, message) = ConsoleCapture.Run(() => ReptileCli.Run(["bench", "evaluation", "--tasks", "1", "--threads", "2"]));
        Assert.Equal(2, refused);
        Assert.Contains("--tasks", message);
    }
}
