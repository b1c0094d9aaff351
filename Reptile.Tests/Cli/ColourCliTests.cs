using Reptile.Cli;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Cli;

/// <summary>The colour path from the shell: `reptile images --channels 3 --model miniimagenet` on folders of JPEGs,
/// then `reptile classify` with that checkpoint on JPEG support and query images.</summary>
[Collection(ConsoleCollection.Name)]
public class ColourCliTests
{
    private static (int ExitCode, string Out, string Error) Reptile(params string[] args) => ConsoleCapture.Run(() => ReptileCli.Run(args));

    [Fact]
    public void MetaTrainsTheMiniImageNetNetworkOnColourJpegsAndClassifiesWithIt()
    {
        var root = ColourClasses.Write(classes: 12, images: 4, size: 30, seed: 3, jpeg: true);
        var checkpoint = root + "-ckpt";
        // 21 is odd all the way down in ceil mode: 21 → 11 → 6 → 3 → 2.
        var (code, output, error) = Reptile("images", "--data", root, "--channels", "3", "--model", "miniimagenet", "--size", "21",
            "--classes", "3", "--shots", "1", "--inner-iters", "2", "--meta-iters", "5", "--eval-iters", "2", "--eval-samples", "3",
            "--checkpoint", checkpoint);
        Assert.True(code == 0, error);
        Assert.Contains("12 classes of 21×21 colour images", output);
        var description = ReptileCheckpoint.ReadDescription(checkpoint);
        Assert.Equal((3, 21, 21), (description.InputChannels, description.InputHeight, description.InputWidth));
        Assert.Equal("Conv2d(3, 32, kernel_size=3, stride=1, padding=1)", description.Layers[0]);
        Assert.Equal("Linear(128, 3)", description.Layers[^1]); // 32 · 2 · 2

        var support = Directory.CreateTempSubdirectory("reptile-colour-support-").FullName;
        var classes = Directory.GetDirectories(root).Order().ToArray();
        for (int c = 0; c < 3; c++)
        {
            var label = Directory.CreateDirectory(Path.Combine(support, $"label{c}")).FullName;
            var first = Directory.GetFiles(classes[c]).Order().First();
            File.Copy(first, Path.Combine(label, Path.GetFileName(first)));
        }
        var query = Directory.GetFiles(classes[1]).Order().Last();
        (code, output, error) = Reptile("classify", "--checkpoint", checkpoint, "--support", support, "--query", query);
        Assert.True(code == 0, error);
        Assert.Contains("3-way model, 21×21 colour (RGB) input", error);
        Assert.Matches(@"\.jpg → label[0-2] \([01]\.\d{3}\)", output);
    }

    [Fact]
    public void ChannelsOtherThanOneOrThreeAreAUsageError()
    {
        var (code, _, error) = Reptile("images", "--data", "nowhere", "--channels", "2");
        Assert.Equal(2, code);
        Assert.Contains("--channels must be 1 or 3", error);
        (code, _, error) = Reptile("images", "--data", "nowhere", "--model", "resnet");
        Assert.Equal(2, code);
        Assert.Contains("resnet", error);
    }
}
