using FsCheck;
using FsCheck.Fluent;
using Reptile.Autograd;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Documentation;

/// <summary>
/// The README's code runs: each snippet below is the README's text between <c>// README begin</c> and
/// <c>// README end</c>, and <see cref="TheReadmeShowsTheseSnippetsVerbatim"/> fails if the two drift apart.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class ReadmeSnippetTests
{
    [Fact]
    public void TheClassifierSnippetLabelsQueries()
    {
        // A small meta-trained checkpoint, a support folder and a query folder, as an app would have them.
        var images = ImageFolders.Write(classes: 12, images: 4, size: 16);
        var all = ImageFolderDataset.Load(images, 16, 16);
        var (train, test) = ClassSplit.Random(all, seed: 0, trainClasses: 9);
        var options = new FewShotOptions { Classes = 3, Shots = 1, InnerBatch = 3, InnerIters = 2, MetaIters = 10, EvalIters = 3, EvalBatch = 3 };
        var checkpoint = Directory.CreateTempSubdirectory("reptile-readme-").FullName;
        new FewShotExperiment(options, train, test, w => Models.Omniglot(w, imageSize: 16)).Train(checkpoint, null, null);
        string examples = Path.Combine(checkpoint, "examples"), queries = Path.Combine(checkpoint, "queries");
        Directory.CreateDirectory(queries);
        foreach (var cls in test.Classes)
        {
            var files = Directory.GetFiles(Path.Combine(images, cls.Name)).Order().ToArray();
            File.Copy(files[0], Path.Combine(Directory.CreateDirectory(Path.Combine(examples, cls.Name)).FullName, "0.png"));
            File.Copy(files[1], Path.Combine(queries, cls.Name + ".png"));
        }

        var (_, output, _) = ConsoleCapture.Run(() =>
        {
            // README begin: classifier
            var classifier = FewShotClassifier.Load(checkpoint);                 // a folder `reptile omniglot` or `reptile images` wrote
            var adapted = classifier.Adapt(LabelledImage.LoadFolder(examples));  // examples/<label>/<image>.png: one to five per label
            foreach (var file in Directory.GetFiles(queries, "*.png"))
            {
                var prediction = adapted.Predict(PixelImage.Load(file));         // resized and encoded as the training images were
                Console.WriteLine($"{file}: {prediction.Label} ({prediction.Confidence:P0})");
            }
            // README end
            return 0;
        });
        Assert.Equal(3, output.Trim().Split('\n').Length);
        Assert.All(output.Trim().Split('\n'), line => Assert.Contains(": class", line));
    }

    [Fact]
    public void TheGradientCheckSnippetHolds()
    {
        // README begin: gradient check
        Prop.ForAll(Gen.Choose(1, 9).ToArbitrary(), Gen.Choose(1, 33).ToArbitrary(), (batch, width) =>
        {
            var rng = new Rng((ulong)(100 * batch + width));
            var model = new Sequential(new Linear(width, 5), new Tanh());      // or a layer of your own
            var x = GradientCheck.RandomTensor(rng, requiresGrad: true, batch, width);
            var mismatch = GradientCheck.FindMismatch(tape => model.Forward(x, tape), [.. model.NamedParameters.Select(p => p.Tensor), x], rng);
            return mismatch == null;                                             // else mismatch says where and by how much
        }).QuickCheckThrowOnFailure();
        // README end
    }

    [Fact]
    public void TheReadmeShowsTheseSnippetsVerbatim()
    {
        var root = RepositoryRoot();
        var readme = Normalise(File.ReadAllText(Path.Combine(root, "README.md")));
        var source = File.ReadAllLines(Path.Combine(root, "Reptile.Tests", "Documentation", "ReadmeSnippetTests.cs"));
        int found = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (!source[i].TrimStart().StartsWith("// README begin", StringComparison.Ordinal)) continue;
            int end = Array.FindIndex(source, i, l => l.TrimStart() == "// README end");
            var lines = source[(i + 1)..end];
            int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            var snippet = Normalise(string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())));
            Assert.True(readme.Contains(snippet, StringComparison.Ordinal), $"README.md lacks the snippet of line {i + 1}:\n{snippet}");
            found++;
        }
        Assert.Equal(2, found);
    }

    private static string Normalise(string text) => string.Join("\n", text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Reptile.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("The repository (Reptile.sln) is not above the test binaries.");
    }
}
