using System.Text.Json;
using Reptile.Cli;
using Reptile.Kernels;
using Reptile.Tests.Support;

namespace Reptile.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class CliTests
{
    private static (int ExitCode, string Out, string Error) Reptile(params string[] args) => ConsoleCapture.Run(() => ReptileCli.Run(args));

    [Theory]
    [InlineData("sine", "--bogus")]
    [InlineData("sine", "--meta-iters", "0")]
    [InlineData("sine", "--meta-iters", "many")]
    [InlineData("sine", "--meta-step", "1.5")]
    [InlineData("sine", "--inner-lr", "-1")]
    [InlineData("omniglot", "--foml-tail", "2")]
    [InlineData("omniglot", "--classes", "1")]
    [InlineData("omniglot", "--weight-decay", "2")]
    [InlineData("omniglot", "--pretrained", "--resume")]
    [InlineData("nonsense")]
    public void BadArgumentsPrintUsageAndExitTwo(params string[] args)
    {
        var (code, _, error) = Reptile(args);
        Assert.Equal(2, code);
        Assert.Contains("error:", error);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("info")]
    public void VersionAndInfoNameTheRuntimeAndTheSimdPath(string argument)
    {
        var (code, output, error) = Reptile(argument);
        Assert.True(code == 0, error);
        Assert.StartsWith("reptile ", output);
        Assert.Contains(", JIT,", output);
        Assert.Contains($"simd path: {Simd.Best}", output);
    }

    [Fact]
    public void UnknownFlagShowsTheCommandsUsage()
    {
        var (_, _, error) = Reptile("sine", "--bogus");
        Assert.Contains("--meta-iters", error);
        Assert.Contains("Usage:", error);
    }

    [Fact]
    public void MissingDataFolderIsAClearError()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-omniglot-{Guid.NewGuid():N}");
        var (code, _, error) = Reptile("omniglot", "--data", missing, "--meta-iters", "1");
        Assert.Equal(1, code);
        Assert.Contains(missing, error);
    }

    [Fact]
    public void SineWritesMetricsPlotAndJson()
    {
        var dir = Directory.CreateTempSubdirectory("reptile-sine-").FullName;
        var json = Path.Combine(dir, "result.json");
        var (code, output, _) = Reptile("sine", "--meta-iters", "300", "--eval-tasks", "20", "--seed", "3", "--out", dir, "--json", json);
        Assert.Equal(0, code);
        Assert.Contains("Reptile init:", output);

        var csv = File.ReadAllLines(Path.Combine(dir, "metrics.csv"));
        Assert.Equal("iteration,meta_step,train_loss,train_accuracy,test_accuracy", csv[0]);
        Assert.Equal(301, csv.Length);
        var svg = File.ReadAllText(Path.Combine(dir, "sine.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Contains("after 32 steps", svg);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (var key in new[] { "meta_iters", "seed", "reptile_mse", "reptile_mse_ci95", "random_mse", "random_mse_ci95", "train_seconds", "ms_per_meta_iter" })
            Assert.True(doc.RootElement.TryGetProperty(key, out _), $"missing {key}");
        Assert.Equal(300, doc.RootElement.GetProperty("meta_iters").GetInt32());
    }

    [Fact]
    public void DivergingTrainingStopsWithTheIteration()
    {
        var (code, _, error) = Reptile("sine", "--meta-iters", "200", "--inner-lr", "1000", "--eval-tasks", "1");
        Assert.Equal(1, code);
        Assert.Matches(@"diverged at meta-iteration \d+", error);
    }
}
