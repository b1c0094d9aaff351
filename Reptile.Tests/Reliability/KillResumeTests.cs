using Reptile.IO;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Reliability;

/// <summary>
/// kill -9 at random instants of a real training run (the `reptile` command in a child process, checkpointing
/// every meta-iteration, so many kills land inside checkpoint writes), resumed after each kill: the final weights
/// equal an uninterrupted run's bit for bit, metrics.csv has every row exactly once, and no temporary file is left.
/// </summary>
public class KillResumeTests
{
    public const int Kills = 50;

    private static string[] Flags(string data, string checkpoint) =>
    [
        "images", "--data", data, "--size", "8", "--classes", "3", "--shots", "1", "--train-shots", "3",
        "--inner-batch", "3", "--inner-iters", "2", "--meta-batch", "2", "--meta-iters", "300", "--eval-interval", "7",
        "--eval-samples", "3", "--eval-iters", "2", "--checkpoint-interval", "1", "--threads", "2", "--seed", "4",
        "--checkpoint", checkpoint,
    ];

    [Fact]
    public void KilledRunsResumeToTheUninterruptedResult()
    {
        var root = Directory.CreateTempSubdirectory("reptile-kill-").FullName;
        var data = ImageFolders.Write(classes: 12, images: 4, size: 10);
        var straight = Path.Combine(root, "straight");
        var (code, _, error) = CliProcess.Run(Flags(data, straight));
        Assert.True(code == 0, error);

        // Kill, resume, kill, … until a run completes; compare it with the uninterrupted one; again until 50 kills.
        var random = new Random(7);
        int kills = 0, tempLeft = 0, runs = 0;
        while (kills < Kills)
        {
            var killed = Path.Combine(root, $"killed{runs++}");
            while (true)
            {
                var args = Flags(data, killed).ToList();
                if (ReptileCheckpoint.Exists(killed)) args.Add("--resume");
                using var child = CliProcess.Start(args);
                if (child.WaitForExit(random.Next(250, 900)))
                {
                    child.WaitForExit();
                    Assert.Equal(0, child.ExitCode);
                    break;
                }
                child.Kill(entireProcessTree: true); // SIGKILL
                child.WaitForExit();
                kills++;
                if (Directory.Exists(killed) && Directory.EnumerateFiles(killed, ".*.tmp").Any()) tempLeft++;
            }
            var (expected, _) = SafeTensors.Read(Path.Combine(straight, ReptileCheckpoint.ModelFile));
            var (actual, _) = SafeTensors.Read(Path.Combine(killed, ReptileCheckpoint.ModelFile));
            Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
            for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Data, actual[i].Data);
            var rows = MetricsLog.Read(Path.Combine(killed, ReptileCheckpoint.MetricsFile));
            Assert.Equal(Enumerable.Range(0, 300), rows.Select(r => r.Iteration));
            Assert.Equal(File.ReadAllText(Path.Combine(straight, ReptileCheckpoint.MetricsFile)), File.ReadAllText(Path.Combine(killed, ReptileCheckpoint.MetricsFile)));
            Assert.Empty(Directory.EnumerateFiles(killed, ".*.tmp"));
        }
        Console.WriteLine($"{kills} kills over {runs} runs ({tempLeft} left a temporary file behind, i.e. landed inside a write); every run resumed bit for bit.");
        Directory.Delete(root, recursive: true);
        Directory.Delete(data, recursive: true);
    }
}
