// A few-shot image classifier as an app builds one with the Reptile.Core package:
//   FewShotApp train CHECKPOINT      meta-trains on made-up pattern classes and saves the checkpoint
//   FewShotApp classify CHECKPOINT   (a new process) loads it, adapts to classes it never saw, reports accuracy
// Exit codes: 0 success, 1 accuracy not clearly above chance, 2 usage.
using System.Diagnostics;
using FewShotApp;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;

const int ImageSize = 16, Ways = 3;

if (args.Length != 2 || args[0] is not ("train" or "classify"))
{
    Console.Error.WriteLine("usage: FewShotApp train|classify CHECKPOINT_FOLDER");
    return 2;
}
return args[0] == "train" ? Train(args[1]) : Classify(args[1]);

static int Train(string checkpoint)
{
    // Meta-training classes; the classify verb draws its classes from another seed, so it meets new ones.
    var random = new Random(1);
    var classes = Enumerable.Range(0, 60)
        .Select(c => Pattern.Random($"train-{c}", random))
        .Select(p => (FewShotClass)new InMemoryClass(p.Name, ImageSize, ImageSize,
            Enumerable.Range(0, 8).SelectMany(_ => p.Draw(ImageSize, random)).ToArray(), scale: 1f / 255f))
        .ToArray();
    var trainSet = new FewShotDataset(classes, ImageSize, ImageSize); // gray, pixels / 255
    var options = new FewShotOptions
    {
        Classes = Ways, Shots = 3, InnerBatch = 9, InnerIters = 4, LearningRate = 2e-3f, MetaStep = 1f, MetaStepFinal = 0f,
        MetaBatch = 4, MetaIters = 150, EvalBatch = 9, EvalIters = 10, EvalInterval = 1000, CheckpointInterval = 1000, Seed = 1,
        InnerState = InnerStateMode.Averaged, Threads = Environment.ProcessorCount,
    };
    var clock = Stopwatch.StartNew();
    var experiment = new FewShotExperiment(options, trainSet, testSet: null, ways => Models.Omniglot(ways, imageSize: ImageSize));
    experiment.Train(checkpoint, log: null, progress: null);
    Console.WriteLine($"meta-trained {options.MetaIters} iterations of {Ways}-way {options.Shots}-shot tasks over {classes.Length} pattern classes " +
                      $"in {clock.Elapsed.TotalSeconds:F1} s; checkpoint in {checkpoint}");
    return 0;
}

static int Classify(string checkpoint)
{
    var classifier = FewShotClassifier.Load(checkpoint);
    Console.WriteLine($"loaded a {classifier.Description.Classes}-way model meta-trained for {classifier.MetaIterations} iterations");

    const int Tasks = 20, Shots = 3, QueriesPerClass = 5;
    var random = new Random(1234);
    int correct = 0, total = 0;
    for (int t = 0; t < Tasks; t++)
    {
        // Classes the model has never seen: patterns drawn from another seed, a few labelled examples each.
        var patterns = Enumerable.Range(0, Ways).Select(c => Pattern.Random($"new-{t}-{c}", random)).ToArray();
        var support = patterns.SelectMany(p => Enumerable.Range(0, Shots)
            .Select(_ => new LabelledImage(p.Name, new PixelImage(ImageSize, ImageSize, p.Draw(ImageSize, random))))).ToArray();
        var adapted = classifier.Adapt(support);
        foreach (var p in patterns)
            for (int q = 0; q < QueriesPerClass; q++)
            {
                var prediction = adapted.Predict(new PixelImage(ImageSize, ImageSize, p.Draw(ImageSize, random)));
                correct += prediction.Label == p.Name ? 1 : 0;
                total++;
            }
    }
    double accuracy = correct / (double)total, chance = 1.0 / Ways;
    Console.WriteLine($"accuracy on {Tasks} new {Ways}-way {Shots}-shot tasks: {accuracy:P1} ({correct}/{total}; chance {chance:P1})");
    if (accuracy < chance + 0.2)
    {
        Console.Error.WriteLine("accuracy is not clearly above chance");
        return 1;
    }
    return 0;
}
