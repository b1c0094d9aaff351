using System.CommandLine;
using Reptile.Data;
using Reptile.Layers;

namespace Reptile.Cli.Commands;

/// <summary>
/// `reptile images --data ROOT`: Reptile on the user's own few-shot data, `ROOT/<class>/<image>.png` (any
/// size and colour, read as gray and resized). The classes are split by --seed into meta-training and
/// held-out test classes; the model and every flag are those of `reptile omniglot`.
/// </summary>
internal static class ImagesCommand
{
    public static Command Create()
    {
        var flags = new FewShotFlags();
        var data = new Option<string>("--data") { Description = "Folder with one sub-folder of PNG images per class", Required = true };
        var size = CliOptions.Positive("--size", "Images are resized to size × size (the conv net halves it 4 times)", 28);
        var testClasses = CliOptions.Positive("--test-classes", "Classes held out for testing (default: a fifth, at least --classes)", int.MaxValue);
        var command = new Command("images", "Meta-train on your own few-shot images (<root>/<class>/<image>.png) with Reptile") { data, size, testClasses };
        flags.AddTo(command);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var options = flags.Bind(parse);
            string root = parse.GetValue(data)!;
            int side = parse.GetValue(size);
            var all = ConsoleProgress.Run("loading images", p => ImageFolderDataset.Load(root, side, side, ConsoleProgress.Loading(p)));
            int held = parse.GetValue(testClasses) == int.MaxValue ? Math.Max(options.Classes, all.Classes.Count / 5) : parse.GetValue(testClasses);
            if (all.Classes.Count - held < options.Classes)
                throw new UsageException($"{root} has {all.Classes.Count} classes: holding out {held} for testing leaves fewer than the {options.Classes} a task needs.");
            var (train, test) = ClassSplit.Random(all, options.Seed, all.Classes.Count - held);
            Console.WriteLine($"{all.Classes.Count} classes of {side}×{side} images from {root}: {train.Classes.Count} for meta-training, {test.Classes.Count} held out");
            return flags.Run(parse, options, train, test, ways => Models.Omniglot(ways, imageSize: side));
        }));
        return command;
    }
}
