using System.Text.Json;
using Reptile.Cli;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Cli;

/// <summary>`reptile classify` end to end on a checkpoint `reptile images` wrote, and its one-line errors.</summary>
[Collection(ConsoleCollection.Name)]
public class ClassifyCliTests
{
    private static readonly Lazy<(string Images, string Checkpoint)> Trained = new(() =>
    {
        var images = ImageFolders.Write(classes: 12, images: 6, size: 16);
        var checkpoint = images + "-ckpt";
        var (code, _, error) = ConsoleCapture.Run(() => ReptileCli.Run(["images", "--data", images, "--size", "16", "--classes", "3", "--shots", "1",
            "--inner-iters", "2", "--meta-iters", "20", "--eval-iters", "4", "--eval-samples", "3", "--checkpoint", checkpoint]));
        Assert.True(code == 0, error);
        return (images, checkpoint);
    });

    /// <summary>support/&lt;label&gt;/ with the first <paramref name="shots"/> images of each of <paramref name="labels"/>
    /// classes, and a query folder with their next image.</summary>
    private static (string Support, string Queries) SupportAndQueries(int labels, int shots = 1)
    {
        var root = Directory.CreateTempSubdirectory("reptile-classify-").FullName;
        var classes = Directory.GetDirectories(Trained.Value.Images).Order().ToArray();
        var queries = Directory.CreateDirectory(Path.Combine(root, "queries")).FullName;
        for (int c = 0; c < labels; c++)
        {
            var label = Directory.CreateDirectory(Path.Combine(root, "support", $"label{c}")).FullName;
            var files = Directory.GetFiles(classes[^(c + 1)]).Order().ToArray(); // held-out-like: the last classes
            for (int s = 0; s < shots; s++) File.Copy(files[s], Path.Combine(label, Path.GetFileName(files[s])));
            File.Copy(files[shots], Path.Combine(queries, $"q{c}.png"));
        }
        return (Path.Combine(root, "support"), queries);
    }

    private static (int ExitCode, string Out, string Error) Reptile(params string[] args) => ConsoleCapture.Run(() => ReptileCli.Run(args));

    [Fact]
    public void LabelsEveryQueryAndWritesJson()
    {
        var (support, queries) = SupportAndQueries(3);
        var json = Path.Combine(Path.GetDirectoryName(support)!, "predictions.json");
        var single = Path.Combine(queries, "q0.png");
        var (code, output, error) = Reptile("classify", "--checkpoint", Trained.Value.Checkpoint, "--support", support, "--query", queries, single, "--json", json);
        Assert.True(code == 0, error);
        var lines = output.Trim().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^.+\.png → label[0-2] \([01]\.\d{3}\)$", l));
        Assert.Contains("3-way model, 16×16 gray input", error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(4, doc.RootElement.GetProperty("predictions").GetArrayLength());
        Assert.Equal(3, doc.RootElement.GetProperty("labels").GetArrayLength());
    }

    [Fact]
    public void ASupportFolderWithoutLabelFoldersIsAOneLineError()
    {
        var (support, _) = SupportAndQueries(3);
        var flat = Directory.CreateTempSubdirectory("reptile-flat-").FullName;
        foreach (var f in Directory.GetFiles(support, "*.png", SearchOption.AllDirectories)) File.Copy(f, Path.Combine(flat, Path.GetFileName(f) + Guid.NewGuid().ToString("N")[..4] + ".png"));
        var (code, _, error) = Reptile("classify", "--checkpoint", Trained.Value.Checkpoint, "--support", flat, "--query", flat);
        Assert.Equal(1, code);
        Assert.Contains("label folders", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void AQueryThatIsNotAnImageIsAOneLineErrorNamingIt()
    {
        var (support, queries) = SupportAndQueries(3);
        var text = Path.Combine(queries, "notes.png");
        File.WriteAllText(text, "not an image");
        var (code, _, error) = Reptile("classify", "--checkpoint", Trained.Value.Checkpoint, "--support", support, "--query", text);
        Assert.Equal(1, code);
        Assert.Contains(text, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void ACheckpointThatDescribesNoModelIsAOneLineError()
    {
        var (support, queries) = SupportAndQueries(3);
        var folder = Directory.CreateTempSubdirectory("reptile-nomodel-").FullName;
        ReptileCheckpoint.Save(folder, new Sequential(new Linear(4, 3)).Initialize(new Rng(1)), new Optim.Sgd(0.1f), 1);
        var (code, _, error) = Reptile("classify", "--checkpoint", folder, "--support", support, "--query", queries);
        Assert.Equal(1, code);
        Assert.Contains("description", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void MoreLabelsThanTheModelsClassesNeedTheNewOutputLayerFlag()
    {
        var (support, queries) = SupportAndQueries(4);
        var (code, _, error) = Reptile("classify", "--checkpoint", Trained.Value.Checkpoint, "--support", support, "--query", queries);
        Assert.Equal(2, code);
        Assert.Contains("--new-output-layer", error);
        var (ok, output, _) = Reptile("classify", "--checkpoint", Trained.Value.Checkpoint, "--support", support, "--query", queries, "--new-output-layer");
        Assert.Equal(0, ok);
        Assert.Equal(4, output.Trim().Split('\n').Length);
    }
}
