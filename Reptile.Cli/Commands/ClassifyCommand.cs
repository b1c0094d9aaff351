using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Reptile.Data;
using Reptile.Meta;

namespace Reptile.Cli.Commands;

/// <summary>`reptile classify`: adapt a meta-trained checkpoint to a few labelled examples and label new images.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder (model.safetensors) written by `reptile omniglot` or `reptile images`", Required = true };
        var support = new Option<string>("--support") { Description = "Labelled examples: DIR/<label>/<image> (PNG, JPEG, BMP, GIF, TGA)", Required = true };
        var query = new Option<string[]>("--query") { Description = "Images to label: image files, or folders of them", Required = true, AllowMultipleArgumentsPerToken = true };
        var transductive = new Option<bool>("--transductive") { Description = "Predict all queries in one batch (default: each with the support examples, as evaluation does)" };
        var steps = new Option<int?>("--steps") { Description = "Fine-tuning steps (default: the checkpoint's)" };
        var seed = CliOptions.Seed();
        var reinitialize = new Option<bool>("--new-output-layer") { Description = "Allow another number of labels than the model's classes by training a new output layer (less accurate)" };
        var imageSize = new Option<int?>("--legacy-image-size") { Description = "For checkpoints without a model description: the side of the images it was trained on" };
        var json = new Option<string?>("--json") { Description = "Write the predictions as JSON to this file" };
        var command = new Command("classify", "Adapt a meta-trained model to a few labelled examples and label new images")
        {
            checkpoint, support, query, transductive, steps, seed, reinitialize, imageSize, json,
        };
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            if (parse.GetValue(steps) is < 0) throw new UsageException("--steps must be at least 0.");
            var clock = Stopwatch.StartNew();
            var classifier = FewShotClassifier.Load(parse.GetValue(checkpoint)!, parse.GetValue(imageSize));
            var loaded = clock.Elapsed;
            var examples = LabelledImage.LoadFolder(parse.GetValue(support)!);
            var queries = QueryFiles(parse.GetValue(query)!);
            var images = queries.Select(f => PixelImage.Load(f)).ToArray();
            var read = clock.Elapsed;
            int labels = examples.Select(e => e.Label).Distinct().Count();
            if (labels != classifier.Description.Classes && !parse.GetValue(reinitialize))
                throw new UsageException($"{parse.GetValue(support)} has {labels} labels; the model was meta-trained for {classifier.Description.Classes}-way tasks. " +
                    $"Give {classifier.Description.Classes} labels, or pass --new-output-layer to train a new output layer (less accurate).");
            var adapted = classifier.Adapt(examples, new AdaptationOptions
            {
                Steps = parse.GetValue(steps),
                Seed = (ulong)parse.GetValue(seed),
                Transductive = parse.GetValue(transductive) ? true : null,
                ReinitializeOutputLayer = parse.GetValue(reinitialize),
            });
            var adaptedAt = clock.Elapsed;
            var predictions = adapted.Predict(images);
            var done = clock.Elapsed;

            var d = classifier.Description;
            Console.Error.WriteLine($"{d.Classes}-way model, {d.InputWidth}×{d.InputHeight} {(d.InputChannels == 3 ? "colour (RGB)" : d.Encoding.ToString().ToLowerInvariant())} input{(d.Inferred ? " (inferred: checkpoint without a description)" : "")}; " +
                $"{examples.Count} examples of {adapted.Labels.Count} labels; {(adapted.Transductive ? "transductive" : "non-transductive")}");
            for (int q = 0; q < queries.Count; q++)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{queries[q]} → {predictions[q].Label} ({predictions[q].Confidence:F3})"));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load {loaded.TotalMilliseconds:F0} ms, read images {(read - loaded).TotalMilliseconds:F0} ms, adapt {(adaptedAt - read).TotalMilliseconds:F0} ms, predict {queries.Count} in {(done - adaptedAt).TotalMilliseconds:F0} ms"));
            if (parse.GetValue(json) is { } path)
                JsonReport.Write(path, new Dictionary<string, object>
                {
                    ["labels"] = adapted.Labels.ToArray(),
                    ["predictions"] = queries.Select((f, q) => new Dictionary<string, object>
                    {
                        ["path"] = f,
                        ["label"] = predictions[q].Label,
                        ["probabilities"] = predictions[q].Probabilities.Select(p => (double)p).ToArray(),
                    }).ToArray(),
                });
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Each --query as given, or the image files under it (in name order) when it is a folder.</summary>
    private static IReadOnlyList<string> QueryFiles(string[] queries)
    {
        var files = new List<string>();
        foreach (var q in queries)
        {
            if (Directory.Exists(q))
            {
                var found = Directory.GetFiles(q, "*", SearchOption.AllDirectories).Where(ImageDecoders.IsImageFile).Order(StringComparer.Ordinal).ToArray();
                if (found.Length == 0) throw new UsageException($"--query {q}: the folder holds no images ({ImageDecoders.Extensions}).");
                files.AddRange(found);
            }
            else files.Add(q);
        }
        return files;
    }
}
