using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

/// <summary>
/// Reptile on generated colour classes (<see cref="ColourClasses"/>: a class is the colour of a bar drawn anywhere on
/// a random background) with the Mini-ImageNet network: a few hundred meta-iterations must give an initialisation that
/// clearly beats an untrained one on held-out colours, and the checkpoint must classify colour images in an app.
/// </summary>
public class ColourLearningTests
{
    private const int Size = 16;

    private static FewShotDataset Dataset(int classes, int seed)
    {
        var images = ColourClasses.Generate(classes, images: 10, Size, seed);
        var list = new FewShotClass[classes];
        for (int c = 0; c < classes; c++)
        {
            // Stored planar (C, H, W), as ImageFolderDataset stores colour images; the classifier below gets the
            // interleaved PixelImages, so a disagreement between the two orders would show in its accuracy.
            int plane = Size * Size;
            var planar = new byte[images[c].Length * 3 * plane];
            for (int i = 0; i < images[c].Length; i++)
                for (int p = 0; p < plane; p++)
                    for (int k = 0; k < 3; k++)
                        planar[(i * 3 + k) * plane + p] = images[c][i][p * 3 + k];
            list[c] = new InMemoryClass($"colour{c:D2}", 3, Size, Size, planar, 1f / 255f);
        }
        return new FewShotDataset(list);
    }

    [Fact]
    public void MetaTrainedInitBeatsUntrainedOnHeldOutColoursAndClassifiesColourImages()
    {
        var train = Dataset(40, seed: 1);
        var test = Dataset(20, seed: 2);
        Assert.Equal(3, train.Channels);
        var options = new FewShotOptions
        {
            Classes = 5, Shots = 1, TrainShots = 5, InnerBatch = 10, InnerIters = 5, LearningRate = 1e-3f,
            MetaStep = 1f, MetaStepFinal = 0f, MetaBatch = 2, MetaIters = 800, EvalBatch = 5, EvalIters = 20,
            EvalSamples = 80, EvalInterval = 1000, Seed = 0, Threads = 2,
        };
        Sequential Network(int ways) => Models.MiniImageNet(ways, imageSize: Size, inputChannels: 3);
        var untrained = new FewShotExperiment(options, train, test, Network);
        var before = untrained.Evaluate(test, isTestSet: true);

        var trained = new FewShotExperiment(options, train, test, Network);
        trained.Train(null, null, null);
        var after = trained.Evaluate(test, isTestSet: true);
        Assert.True(after.Mean > before.Mean + 0.15, $"meta-trained {after} vs untrained {before}");

        // The checkpoint records the colour input, and the classifier adapts and predicts on colour PixelImages.
        var folder = Directory.CreateTempSubdirectory("reptile-colour-ckpt-").FullName;
        trained.SaveCheckpoint(folder);
        var classifier = FewShotClassifier.Load(folder);
        Assert.Equal(3, classifier.Description.InputChannels);
        Assert.Contains("ceil_mode=True", classifier.Description.Layers[2]);
        var images = ColourClasses.Generate(20, images: 6, Size, seed: 2);
        int correct = 0, total = 0;
        for (int task = 0; task < 4; task++)
        {
            var labels = Enumerable.Range(task * 5, 5).ToArray();
            var adapted = classifier.Adapt(labels.Select(c => new LabelledImage($"c{c}", new PixelImage(Size, Size, 3, images[c][0]))));
            foreach (var c in labels)
                for (int q = 1; q < 6; q++, total++)
                    if (adapted.Predict(new PixelImage(Size, Size, 3, images[c][q])).Label == $"c{c}") correct++;
        }
        Assert.True(correct > 0.45 * total, $"the classifier labelled {correct} of {total} colour queries (chance: 20 %)");
    }
}
