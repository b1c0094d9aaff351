using Reptile.Data;
using Reptile.IO;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Classification;

/// <summary>
/// The app's job end to end: meta-train a small model, save it, load it in a fresh <see cref="FewShotClassifier"/>,
/// adapt to held-out classes and predict: clearly above chance, and exactly the library evaluator's predictions on
/// the same tasks (one code path).
/// </summary>
public class FewShotClassifierTests
{
    private const int Ways = 3, Size = 16;

    private static readonly FewShotOptions Options = new()
    {
        Classes = Ways, Shots = 1, TrainShots = 4, InnerBatch = 4, InnerIters = 3, LearningRate = 2e-3f, MetaStep = 1f, MetaStepFinal = 0f,
        MetaBatch = 4, MetaIters = 120, EvalBatch = 3, EvalIters = 8, EvalSamples = 10, EvalInterval = 1000, Seed = 1,
        InnerState = InnerStateMode.Averaged, Threads = 2,
    };

    /// <summary>A meta-trained checkpoint and its held-out classes (built once for the class).</summary>
    private static readonly Lazy<(string Folder, FewShotDataset Test, FewShotExperiment Run)> Trained = new(() =>
    {
        var all = ImageFolderDataset.Load(ImageFolders.Write(classes: 24, images: 6, size: Size), Size, Size);
        var (train, test) = ClassSplit.Random(all, seed: 0, trainClasses: 16);
        var run = new FewShotExperiment(Options, train, test, w => Models.Omniglot(w, imageSize: Size));
        var folder = Directory.CreateTempSubdirectory("reptile-classifier-").FullName;
        run.Train(folder, null, null);
        return (folder, test, run);
    });

    private static PixelImage ToImage(FewShotTask task, int sample)
    {
        var bytes = new byte[task.Pixels];
        var image = task.Image(sample);
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Round(image[i] * 255f);
        return new PixelImage(task.Width, task.Height, bytes);
    }

    [Fact]
    public void AFreshClassifierPredictsHeldOutClassesAsTheEvaluatorDoes()
    {
        var (folder, test, run) = Trained.Value;
        var classifier = FewShotClassifier.Load(folder);
        Assert.Equal(Ways, classifier.Description.Classes);
        Assert.Equal(Options.MetaIters, classifier.MetaIterations);
        Assert.False(classifier.Description.Inferred);

        var worker = new FewShotEvaluator.Worker(run.Model, run.InnerOptimizer);
        int tasks = 30, evaluatorCorrect = 0, classifierCorrect = 0;
        foreach (bool transductive in new[] { false, true })
        {
            var protocol = new FewShotEvaluator(Ways, Options.Shots, Options.EvalBatch, Options.EvalIters, transductive: transductive);
            for (int k = 0; k < tasks; k++)
            {
                int expected = protocol.EvaluateTask(worker, test, run.Model, run.InnerOptimizer, Rng.Derive(9, (ulong)k));

                // The same task, drawn by the same stream, then given to the classifier as an app would give it.
                var rng = Rng.Derive(9, (ulong)k);
                var sampler = new FewShotTaskSampler(test, Ways, Options.Shots + 1, Options.EvalBatch, Options.EvalIters, heldOutPerClass: 1);
                sampler.Sample(rng);
                var task = sampler.Task;
                var support = sampler.Pool.ToArray().Select(i => new LabelledImage($"class {task.Label(i)}", ToImage(task, i))).ToArray();
                var adapted = classifier.Adapt(support, new AdaptationOptions { Transductive = transductive }, rng);
                var predictions = adapted.Predict(sampler.HeldOut.ToArray().Select(i => ToImage(task, i)).ToArray());
                int correct = sampler.HeldOut.ToArray().Where((i, q) => predictions[q].Label == $"class {task.Label(i)}").Count();
                Assert.Equal(expected, correct);
                Assert.All(predictions, p => Assert.Equal(1f, p.Probabilities.Sum(), 4));
                if (!transductive) { evaluatorCorrect += expected; classifierCorrect += correct; }
            }
        }
        double accuracy = classifierCorrect / (double)(tasks * Ways);
        Assert.True(accuracy > 1.0 / Ways + 0.25, $"accuracy {accuracy:P1} on held-out {Ways}-way tasks (chance {1.0 / Ways:P1})");
    }

    private static LabelledImage[] Support(FewShotDataset test, int classes, int shots)
    {
        var examples = new List<LabelledImage>();
        var buffer = new float[Size * Size];
        for (int c = 0; c < classes; c++)
            for (int s = 0; s < shots; s++)
            {
                test.Classes[c].CopyImage(s, buffer);
                examples.Add(new LabelledImage(test.Classes[c].Name, new PixelImage(Size, Size, buffer.Select(v => (byte)Math.Round(v * 255)).ToArray())));
            }
        return examples.ToArray();
    }

    [Fact]
    public void AnotherNumberOfLabelsIsAClearErrorUnlessTheOutputLayerIsRetrained()
    {
        var (folder, test, _) = Trained.Value;
        var classifier = FewShotClassifier.Load(folder);
        var e = Assert.Throws<ArgumentException>(() => classifier.Adapt(Support(test, 5, 1)));
        Assert.Contains("5 labels", e.Message);
        Assert.Contains(nameof(AdaptationOptions.ReinitializeOutputLayer), e.Message);

        var adapted = classifier.Adapt(Support(test, 5, 2), new AdaptationOptions { ReinitializeOutputLayer = true, Steps = 30 });
        Assert.Equal(5, adapted.Labels.Count);
        var prediction = adapted.Predict(Support(test, 5, 1)[0].Image);
        Assert.Equal(5, prediction.Probabilities.Count);
        Assert.Contains(prediction.Label, adapted.Labels);
    }

    [Fact]
    public void AdaptingNeverChangesTheLoadedModelAndIsSafeFromManyThreads()
    {
        var (folder, test, _) = Trained.Value;
        var classifier = FewShotClassifier.Load(folder);
        var support = Support(test, Ways, 1);
        var queries = Support(test, Ways, 3).Select(x => x.Image).ToArray();
        var first = classifier.Adapt(support).Predict(queries);
        var results = new IReadOnlyList<Prediction>[4];
        Parallel.For(0, results.Length, i => results[i] = classifier.Adapt(support).Predict(queries));
        foreach (var r in results)
            Assert.Equal(first.Select(p => (p.Label, string.Join(",", p.Probabilities))), r.Select(p => (p.Label, string.Join(",", p.Probabilities))));
        Assert.NotEqual(first.Select(p => p.Probabilities[0]), classifier.Adapt(support, new AdaptationOptions { Seed = 5 }).Predict(queries).Select(p => p.Probabilities[0]));
    }

    [Fact]
    public void ACheckpointFromBeforeDescriptionsLoadsAsTheOmniglotNetwork()
    {
        var classifier = FewShotClassifier.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "legacy-checkpoint"));
        Assert.True(classifier.Description.Inferred);
        Assert.Equal(5, classifier.Description.Classes);
        Assert.Equal((28, 28), (classifier.Description.InputHeight, classifier.Description.InputWidth));
        Assert.Equal("adam", classifier.Description.InnerOptimizer.Kind);
        Assert.Equal(Models.Omniglot(5).Layers.Select(l => l.ToString()), classifier.Description.Layers);
        Assert.Equal(40, classifier.MetaIterations);
        var images = Enumerable.Range(0, 5).Select(c => new LabelledImage($"c{c}", new PixelImage(28, 28, Enumerable.Range(0, 784).Select(i => (byte)((i % 28 == c * 5) ? 255 : 0)).ToArray())));
        var adapted = classifier.Adapt(images);
        Assert.Equal(5, adapted.Predict(new PixelImage(56, 56, new byte[56 * 56])).Probabilities.Count); // resized to 28×28
    }

    [Fact]
    public void ACheckpointOfAnotherModelWithoutADescriptionIsAClearError()
    {
        var folder = Directory.CreateTempSubdirectory("reptile-nodescription-").FullName;
        var model = new Sequential(new Linear(4, 3)).Initialize(new Rng(1));
        ReptileCheckpoint.Save(folder, model, new Optim.Sgd(0.1f), 1);
        var e = Assert.Throws<InvalidFileException>(() => FewShotClassifier.Load(folder));
        Assert.Equal(ModelDescription.MetadataKey, e.Field);
        Assert.Contains("Omniglot", e.Message);
    }

    [Fact]
    public void ACheckpointWhoseInputChannelsContradictItsFirstLayerIsAClearError()
    {
        var folder = Directory.CreateTempSubdirectory("reptile-channels-").FullName;
        var model = Models.MiniImageNet(5, imageSize: 16).Initialize(new Rng(1));
        var description = new ModelDescription
        {
            Layers = model.Layers.Select(l => l.ToString()!).ToArray(),
            InputChannels = 1, // the first convolution takes 3
            InputHeight = 16,
            InputWidth = 16,
            Classes = 5,
            InnerOptimizer = InnerOptimizerSettings.Of(new Optim.Sgd(0.1f)),
            FineTuning = new FineTuningSettings(5, 5, false, 1f, false),
        };
        ReptileCheckpoint.Save(folder, model, new Optim.Sgd(0.1f), 1, extra: new Dictionary<string, string> { [ModelDescription.MetadataKey] = description.ToJson() });
        var e = Assert.Throws<InvalidFileException>(() => FewShotClassifier.Load(folder));
        Assert.Equal(ModelDescription.MetadataKey, e.Field);
        Assert.Contains("3 channel(s)", e.Message);
        // The same checkpoint described truthfully loads.
        ReptileCheckpoint.Save(folder, model, new Optim.Sgd(0.1f), 1, extra: new Dictionary<string, string> { [ModelDescription.MetadataKey] = (description with { InputChannels = 3 }).ToJson() });
        Assert.Equal(3, FewShotClassifier.Load(folder).Description.InputChannels);
    }

    [Fact]
    public void LayerDescriptionsReadBackToTheSameLayers()
    {
        foreach (var model in new[] { Models.Omniglot(5), Models.MiniImageNet(5), Models.SineMlp(), new Sequential(new BatchNorm2d(3, 1e-5f, trackRunningStats: true, momentum: 0.2f)) })
            Assert.Equal(model.Layers.Select(l => l.ToString()), model.Layers.Select(l => Layer.Parse(l.ToString()!).ToString()));
        Assert.Equal("Conv2d(1, 64, kernel_size=3, stride=2, padding=1)", Models.Omniglot(5).Layers[0].ToString());
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)", Models.MiniImageNet(5).Layers[2].ToString());
        Assert.True(((MaxPool2d)Layer.Parse("MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)")).CeilMode);
        Assert.False(((MaxPool2d)Layer.Parse("MaxPool2d(kernel_size=2, stride=2)")).CeilMode);
        foreach (var bad in new[] { "MaxPool2d(2, ceil_mode=maybe)", "Conv3d(1, 2, 3)", "Linear(4)", "Linear(4, 5, 6)", "Linear(4, x)", "Linear(in_features=4, out_features=5, bias=False)", "ReLU", "" })
            Assert.Throws<FormatException>(() => Layer.Parse(bad));
    }
}
