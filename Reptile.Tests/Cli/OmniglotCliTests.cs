using System.Text.Json;
using Reptile.Cli;
using Reptile.Tests.Support;

namespace Reptile.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class OmniglotCliTests
{
    [SharedDataFact]
    public void OmniglotRunPrintsTheReferenceLinesAndWritesCheckpointMetricsAndJson()
    {
        var dir = Directory.CreateTempSubdirectory("reptile-omniglot-").FullName;
        var checkpoint = Path.Combine(dir, "ckpt");
        var json = Path.Combine(dir, "result.json");
        string[] args = ["omniglot", "--data", SharedData.OmniglotDir, "--shots", "1", "--train-shots", "5", "--inner-batch", "5",
            "--inner-iters", "2", "--meta-batch", "2", "--meta-iters", "12", "--eval-interval", "5", "--eval-iters", "3",
            "--eval-samples", "4", "--checkpoint", checkpoint, "--json", json];
        var (code, output, error) = ConsoleCapture.Run(() => ReptileCli.Run(args));
        Assert.True(code == 0, error);
        Assert.Matches(@"batch 0: train=[0-9.]+ test=[0-9.]+", output);
        Assert.Contains("batch 10: train=", output);
        Assert.Matches(@"Train accuracy: [0-9.]+", output);
        Assert.Matches(@"Test accuracy: [0-9.]+", output);
        Assert.True(File.Exists(Path.Combine(checkpoint, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(checkpoint, "learning_curve.svg")));
        Assert.Equal(13, File.ReadAllLines(Path.Combine(checkpoint, "metrics.csv")).Length);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (var key in new[] { "classes", "shots", "meta_iters", "train_accuracy", "test_accuracy", "test_accuracy_ci95", "train_seconds", "ms_per_meta_iter" })
            Assert.True(doc.RootElement.TryGetProperty(key, out _), $"missing {key}");

        // The same command again refuses to overwrite; --resume on a finished run just evaluates.
        Assert.Equal(2, ConsoleCapture.Run(() => ReptileCli.Run(args)).ExitCode);
        var (resumed, resumedOut, _) = ConsoleCapture.Run(() => ReptileCli.Run([.. args, "--resume"]));
        Assert.Equal(0, resumed);
        Assert.Contains("Resuming at meta-iteration 12", resumedOut);
        var (evaluated, evalOut, _) = ConsoleCapture.Run(() => ReptileCli.Run([.. args, "--pretrained", "--transductive"]));
        Assert.Equal(0, evaluated);
        Assert.Contains("meta-iteration 12", evalOut);
    }
}
