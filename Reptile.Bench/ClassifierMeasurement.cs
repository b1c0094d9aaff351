using System.Diagnostics;
using Reptile.Data;
using Reptile.Meta;

namespace Reptile.Bench;

/// <summary>
/// `classifier --checkpoint DIR --data OMNIGLOT [--tasks N]`: what an app sees of a meta-trained Omniglot model. The time
/// of loading the checkpoint, one 5-way 1-shot adaptation and 100 predictions (median of rounds), and the accuracy on
/// held-out characters of the checkpoint's own output layer against a freshly initialised one
/// (<see cref="AdaptationOptions.ReinitializeOutputLayer"/>), 5-way and 10-way, 1-shot, over the same tasks.
/// </summary>
internal static class ClassifierMeasurement
{
    public static int Run(string[] args)
    {
        string checkpoint = Option(args, "--checkpoint") ?? throw new ArgumentException("--checkpoint DIR is required");
        string data = Option(args, "--data") ?? throw new ArgumentException("--data DIR is required");
        int tasks = int.Parse(Option(args, "--tasks") ?? "200");
        var (_, test) = ClassSplit.Omniglot(OmniglotDataset.Load(data), seed: 0);

        // Time: load + adapt (5-way 1-shot) + 100 predictions, as `reptile classify` would do them.
        var times = new List<(double Load, double Adapt, double Predict)>();
        for (int round = 0; round < 7; round++)
        {
            var (support, queries) = Task(test, 5, 19, new Rng((ulong)round)); // Omniglot has 20 drawings per character
            var clock = Stopwatch.StartNew();
            var classifier = FewShotClassifier.Load(checkpoint);
            double load = clock.Elapsed.TotalMilliseconds;
            var adapted = classifier.Adapt(support);
            double adapt = clock.Elapsed.TotalMilliseconds - load;
            for (int q = 0; q < 100; q++) adapted.Predict(queries[q % queries.Count].Image);
            times.Add((load, adapt, clock.Elapsed.TotalMilliseconds - load - adapt));
        }
        double Median(Func<(double Load, double Adapt, double Predict), double> pick) => times.Select(pick).Order().ElementAt(times.Count / 2);
        Console.WriteLine($"load {Median(t => t.Load):F1} ms, adapt 5-way 1-shot {Median(t => t.Adapt):F1} ms, 100 predictions {Median(t => t.Predict):F1} ms; " +
            $"total {Median(t => t.Load + t.Adapt + t.Predict):F1} ms (median of {times.Count}; first round included)");

        // Accuracy: the meta-learned output layer against a new one, on the same tasks.
        var model = FewShotClassifier.Load(checkpoint);
        foreach (int ways in new[] { 5, 10 })
        {
            int correct = 0, correctNew = 0, total = 0;
            for (int k = 0; k < tasks; k++)
            {
                var (support, queries) = Task(test, ways, 1, Rng.Derive(7, (ulong)ways, (ulong)k));
                var fresh = model.Adapt(support, new AdaptationOptions { ReinitializeOutputLayer = true, Seed = (ulong)k });
                var freshPredictions = fresh.Predict(queries.Select(q => q.Image).ToArray());
                correctNew += queries.Where((q, i) => freshPredictions[i].Label == q.Label).Count();
                if (ways == model.Description.Classes)
                {
                    var own = model.Adapt(support).Predict(queries.Select(q => q.Image).ToArray());
                    correct += queries.Where((q, i) => own[i].Label == q.Label).Count();
                }
                total += queries.Count;
            }
            Console.WriteLine(ways == model.Description.Classes
                ? $"{ways}-way 1-shot, {tasks} tasks: meta-learned output layer {100.0 * correct / total:F1} %, new output layer {100.0 * correctNew / total:F1} %"
                : $"{ways}-way 1-shot, {tasks} tasks: new output layer {100.0 * correctNew / total:F1} % (the model's own layer has {model.Description.Classes} outputs)");
        }
        return 0;
    }

    /// <summary>One support image and <paramref name="queriesPerClass"/> query images of each of <paramref name="ways"/> classes.</summary>
    private static (LabelledImage[] Support, List<(string Label, PixelImage Image)> Queries) Task(FewShotDataset set, int ways, int queriesPerClass, Rng rng)
    {
        var sampler = new FewShotTaskSampler(set, ways, 1 + queriesPerClass, 5, 0, heldOutPerClass: queriesPerClass);
        sampler.Sample(rng);
        var task = sampler.Task;
        PixelImage Image(int i)
        {
            var pixels = task.Image(i);
            var gray = new byte[pixels.Length];
            for (int p = 0; p < gray.Length; p++) gray[p] = (byte)(pixels[p] >= 0.5f ? 255 : 0); // Omniglot's binary pixels
            return new PixelImage(task.Width, task.Height, gray);
        }
        var support = sampler.Pool.ToArray().Select(i => new LabelledImage($"c{task.Label(i)}", Image(i))).ToArray();
        var queries = sampler.HeldOut.ToArray().Select(i => ($"c{task.Label(i)}", Image(i))).ToList();
        return (support, queries);
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
