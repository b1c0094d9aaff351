using Reptile.IO;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Distributed;

/// <summary>
/// `mpirun -np R reptile …` against one process with the same flags: the final weights bit for bit (2 ranks, 3 ranks
/// for an uneven split of 5 tasks, and TCP over loopback so nothing relies on shared memory), resuming across
/// process counts in both directions, and the refusals.
/// </summary>
public class MpiRunTests
{
    private static readonly Lazy<string> Images = new(() => ImageFolders.Write(classes: 12, images: 5, size: 12));

    private static string[] Flags(string checkpoint, params string[] extra) =>
    [
        "images", "--data", Images.Value, "--size", "8", "--classes", "3", "--shots", "1", "--train-shots", "3",
        "--inner-batch", "3", "--inner-iters", "3", "--meta-batch", "5", "--meta-iters", "6", "--eval-interval", "2",
        "--eval-samples", "7", "--eval-iters", "2", "--inner-state", "Averaged", "--seed", "3", "--checkpoint", checkpoint, .. extra,
    ];

    private static string Folder(string name) => Path.Combine(Directory.CreateTempSubdirectory("reptile-mpi-").FullName, name);

    private static void Succeeds((int ExitCode, string Out, string Error) run) =>
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Error}\n{run.Out}");

    private static void SameWeights(string expectedFolder, string actualFolder)
    {
        var (expected, _) = SafeTensors.Read(Path.Combine(expectedFolder, ReptileCheckpoint.ModelFile));
        var (actual, _) = SafeTensors.Read(Path.Combine(actualFolder, ReptileCheckpoint.ModelFile));
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        for (int i = 0; i < expected.Count; i++) Assert.True(expected[i].Data.SequenceEqual(actual[i].Data), $"{expected[i].Name} differs");
        Assert.Equal(File.ReadAllText(Path.Combine(expectedFolder, ReptileCheckpoint.MetricsFile)),
            File.ReadAllText(Path.Combine(actualFolder, ReptileCheckpoint.MetricsFile)));
    }

    private static readonly Lazy<(string Folder, string Out)> Single = new(() =>
    {
        var folder = Folder("single");
        var run = CliProcess.Run(Flags(folder, "--threads", "2"));
        Succeeds(run);
        return (folder, run.Out);
    });

    private static string Accuracies(string output) =>
        string.Join("\n", output.Split('\n').Where(l => l.StartsWith("Train accuracy") || l.StartsWith("Test accuracy")));

    [MpiFact]
    public void TwoRanksGiveOneProcessesBits()
    {
        var folder = Folder("np2");
        var run = CliProcess.Run(Flags(folder, "--threads", "1"), Mpirun.Launcher(2));
        Succeeds(run);
        SameWeights(Single.Value.Folder, folder);
        Assert.Equal(Accuracies(Single.Value.Out), Accuracies(run.Out));
        Assert.Contains("MPI: 2 ranks", run.Out);
    }

    [MpiFact]
    public void ThreeRanksSplittingFiveTasksUnevenlyOverTcpGiveOneProcessesBits()
    {
        var folder = Folder("np3");
        Succeeds(CliProcess.Run(Flags(folder, "--threads", "1"), Mpirun.Launcher(3, "--mca", "btl", "tcp,self")));
        SameWeights(Single.Value.Folder, folder);
    }

    [MpiFact]
    public void ResumeMovesBetweenOneProcessAndManyInBothDirections()
    {
        var intoMpi = Folder("into-mpi");
        Succeeds(CliProcess.Run(Flags(intoMpi, "--stop-at", "3")));
        Succeeds(CliProcess.Run(Flags(intoMpi, "--resume"), Mpirun.Launcher(2)));
        SameWeights(Single.Value.Folder, intoMpi);

        var outOfMpi = Folder("out-of-mpi");
        Succeeds(CliProcess.Run(Flags(outOfMpi, "--stop-at", "4"), Mpirun.Launcher(3)));
        Succeeds(CliProcess.Run(Flags(outOfMpi, "--resume")));
        SameWeights(Single.Value.Folder, outOfMpi);
    }

    [MpiFact]
    public void SineUnderTwoRanksGivesOneProcessesNumbers()
    {
        string[] sine = ["sine", "--meta-iters", "200", "--meta-batch", "3", "--eval-tasks", "10", "--seed", "2"];
        var single = CliProcess.Run(sine);
        var ranks = CliProcess.Run(sine, Mpirun.Launcher(2));
        Succeeds(single);
        Succeeds(ranks);
        string Mse(string output) => string.Join("\n", output.Split('\n').Where(l => l.Contains("init:")));
        Assert.Equal(Mse(single.Out), Mse(ranks.Out));
    }

    [MpiFact]
    public void ChainedInnerStateIsRefusedNamingAveraged()
    {
        var flags = Flags(Folder("chained")).Select(a => a == "Averaged" ? "Chained" : a);
        var run = CliProcess.Run(flags, Mpirun.Launcher(2));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--inner-state Averaged", run.Error);
        Assert.Contains("rank", run.Error);
    }
}
