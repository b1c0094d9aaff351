using Reptile.Cli;
using Reptile.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class ImagesCliTests
{
    [Fact]
    public void MetaTrainsOnAFolderOfClassFolders()
    {
        var root = ImageFolders.Write(classes: 12, images: 6);
        var checkpoint = Path.Combine(root, "..", Path.GetFileName(root) + "-ckpt");
        var (code, output, error) = ConsoleCapture.Run(() => ReptileCli.Run(["images", "--data", root, "--size", "16", "--classes", "3",
            "--shots", "1", "--inner-iters", "2", "--meta-iters", "5", "--eval-iters", "2", "--eval-samples", "3", "--checkpoint", checkpoint]));
        Assert.True(code == 0, error);
        Assert.Contains("12 classes of 16×16 images", output);
        Assert.Contains("9 for meta-training, 3 held out", output);
        Assert.Matches(@"Test accuracy: [0-9.]+", output);
        Assert.True(File.Exists(Path.Combine(checkpoint, "model.safetensors")));
    }

    [Fact]
    public void TooFewClassesForTheSplitIsAUsageError()
    {
        var root = ImageFolders.Write(classes: 4, images: 3);
        var (code, _, error) = ConsoleCapture.Run(() => ReptileCli.Run(["images", "--data", root, "--classes", "3", "--meta-iters", "1"]));
        Assert.Equal(2, code);
        Assert.Contains("4 classes", error);
    }

    [Fact]
    public void MissingDataFlagIsAUsageError()
    {
        var (code, _, error) = ConsoleCapture.Run(() => ReptileCli.Run(["images"]));
        Assert.Equal(2, code);
        Assert.Contains("--data", error);
    }

    [Fact]
    public void DivergingTrainingFailsNamingTheIterationAndSavesNoNonFiniteCheckpoint()
    {
        var root = ImageFolders.Write(classes: 12, images: 6);
        var checkpoint = Path.Combine(root, "..", Path.GetFileName(root) + "-diverge");
        var (code, _, error) = ConsoleCapture.Run(() => ReptileCli.Run(["images", "--data", root, "--size", "16", "--classes", "3",
            "--shots", "1", "--inner-iters", "2", "--meta-iters", "50", "--learning-rate", "1e30", "--checkpoint-interval", "1",
            "--eval-samples", "3", "--checkpoint", checkpoint]));
        Assert.Equal(1, code);
        Assert.Matches(@"^error: Training diverged at meta-iteration \d+", error);
        Assert.Single(error.Trim().Split('\n'));
        var saved = Directory.Exists(checkpoint) ? Directory.EnumerateFiles(checkpoint, "*.safetensors") : [];
        foreach (var file in saved)
            foreach (var tensor in SafeTensors.Read(file).Tensors)
                Assert.All(tensor.Data, v => Assert.True(float.IsFinite(v), $"{file}: {tensor.Name} holds {v}"));
    }
}
