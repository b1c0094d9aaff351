using System.CommandLine;
using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;

namespace Reptile.Cli.Commands;

/// <summary>
/// `reptile omniglot`: supervised-reptile's run_omniglot.py, same flags, names and defaults, so every command
/// of that project's README runs unchanged after `reptile omniglot`; plus --data, --threads, --inner-state,
/// --resume, --json.
/// </summary>
internal static class OmniglotCommand
{
    public static Command Create()
    {
        var flags = new FewShotFlags();
        var data = new Option<string>("--data") { Description = "Folder with Omniglot (npz files, the official zips, or their unpacked trees)", DefaultValueFactory = _ => Path.Combine("data", "omniglot") };
        var split = new Option<string>("--split")
        {
            Description = "Classes for meta-training vs testing: 'random' (supervised-reptile: 1200 characters by --seed, the other 423 held out) or 'background' (Lake et al.: the 30 background alphabets vs the 20 evaluation alphabets)",
            DefaultValueFactory = _ => "random",
        };
        split.AcceptOnlyFromAmong("random", "background");
        var command = new Command("omniglot", "Few-shot Omniglot with Reptile (supervised-reptile's run_omniglot.py flags)") { data, split };
        flags.AddTo(command);
        command.Subcommands.Add(FetchCommand());
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var options = flags.Bind(parse);
            string folder = parse.GetValue(data)!;
            var all = ConsoleProgress.Run("loading Omniglot", p => OmniglotDataset.Load(folder, ConsoleProgress.Loading(p)));
            bool background = parse.GetValue(split) == "background";
            var (train, test) = background ? ClassSplit.OmniglotBackground(all) : ClassSplit.Omniglot(all, options.Seed);
            Console.WriteLine($"Omniglot: {all.Classes.Count} characters from {folder}; {train.Classes.Count} training classes ({train.Classes.Count / 4} × 4 rotations" +
                $"{(background ? ", the background alphabets" : "")}), {test.Classes.Count} test classes{(background ? " (the evaluation alphabets)" : "")}");
            return flags.Run(parse, options, train, test, ways => Models.Omniglot(ways));
        }));
        return command;
    }

    private static Command FetchCommand()
    {
        var data = new Option<string>("--data") { Description = "Folder to download into", DefaultValueFactory = _ => Path.Combine("data", "omniglot") };
        var fetch = new Command("fetch", "Download the official Omniglot zips (images_background.zip, images_evaluation.zip) and verify their checksums") { data };
        fetch.SetAction(parse => ExitCodes.Guard(() =>
        {
            string folder = parse.GetValue(data)!;
            using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            try
            {
                OmniglotDownloader.DownloadAsync(folder, client, null, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (HttpRequestException e)
            {
                throw new IOException($"Download failed ({e.Message}). Without internet access, copy images_background.zip and images_evaluation.zip (or the npz files) into {folder} by hand.", e);
            }
            Console.WriteLine($"Omniglot is in {folder}");
            return ExitCodes.Success;
        }));
        return fetch;
    }
}
