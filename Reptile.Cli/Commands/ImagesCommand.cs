using System.CommandLine;
using Reptile.Data;
using Reptile.Layers;

namespace Reptile.Cli.Commands;

/// <summary>
/// `reptile images --data ROOT`: Reptile on the user's own few-shot data, `ROOT/<class>/<image>` (PNG, JPEG, BMP,
/// GIF, TGA; any size), read as gray (--channels 1, resized nearest-neighbour) or colour (--channels 3, area
/// averaging). The classes are split by --seed into meta-training and held-out test classes; the model is the
/// paper's Omniglot or Mini-ImageNet network (--model), every other flag is that of `reptile omniglot`.
/// </summary>
internal static class ImagesCommand
{
    public static Command Create()
    {
        var flags = new FewShotFlags();
        var data = new Option<string>("--data") { Description = "Folder with one sub-folder of images (PNG, JPEG, BMP, GIF, TGA) per class", Required = true };
        var size = CliOptions.Positive("--size", "Images are resized to size × size (the conv net halves it 4 times; 84 for Mini-ImageNet)", 28);
        var testClasses = CliOptions.Positive("--test-classes", "Classes held out for testing (default: a fifth, at least --classes)", int.MaxValue);
        var channels = new Option<int>("--channels") { Description = "1: gray (resized nearest-neighbour, as the paper's Omniglot); 3: colour (RGB, area averaging)", DefaultValueFactory = _ => 1 };
        channels.Validators.Add(r => { if (r.GetValueOrDefault<int>() is not (1 or 3)) r.AddError("--channels must be 1 or 3."); });
        var model = new Option<string>("--model") { Description = "omniglot: 4 × [conv 3×3 64 stride 2, batch norm, ReLU]; miniimagenet: 4 × [conv 3×3 32, batch norm, max-pool 2, ReLU] (the paper's two networks)", DefaultValueFactory = _ => "omniglot" };
        model.AcceptOnlyFromAmong("omniglot", "miniimagenet");
        var command = new Command("images", "Meta-train on your own few-shot images (<root>/<class>/<image>) with Reptile") { data, size, testClasses, channels, model };
        flags.AddTo(command);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var options = flags.Bind(parse);
            string root = parse.GetValue(data)!;
            int side = parse.GetValue(size), inputChannels = parse.GetValue(channels);
            var all = ConsoleProgress.Run("loading images", p => ImageFolderDataset.Load(root, side, side, inputChannels, ConsoleProgress.Loading(p)));
            int held = parse.GetValue(testClasses) == int.MaxValue ? Math.Max(options.Classes, all.Classes.Count / 5) : parse.GetValue(testClasses);
            if (all.Classes.Count - held < options.Classes)
                throw new UsageException($"{root} has {all.Classes.Count} classes: holding out {held} for testing leaves fewer than the {options.Classes} a task needs.");
            var (train, test) = ClassSplit.Random(all, options.Seed, all.Classes.Count - held);
            Console.WriteLine($"{all.Classes.Count} classes of {side}×{side} {(inputChannels == 1 ? "" : "colour ")}images from {root}: {train.Classes.Count} for meta-training, {test.Classes.Count} held out");
            Func<int, Sequential> network = parse.GetValue(model) == "miniimagenet"
                ? ways => Models.MiniImageNet(ways, imageSize: side, inputChannels: inputChannels)
                : ways => Models.Omniglot(ways, imageSize: side, inputChannels: inputChannels);
            return flags.Run(parse, options, train, test, network);
        }));
        return command;
    }
}
