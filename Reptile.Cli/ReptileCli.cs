using System.CommandLine;
using Reptile.Cli.Commands;
using Reptile.Images;

namespace Reptile.Cli;

/// <summary>The `reptile` command line: parses, dispatches to a command, and maps errors to exit codes.</summary>
public static class ReptileCli
{
    /// <summary>Global option: print stack traces with errors (as REPTILE_VERBOSE=1 does).</summary>
    private static readonly Option<bool> VerboseOption = new("--verbose")
    {
        Description = $"Print the stack trace with an error (also: {ExitCodes.VerboseVariable}=1)",
        Recursive = true,
    };

    // Every command reads JPEG, BMP, GIF, TGA and interlaced PNG as well as Core's PNG.
    static ReptileCli() => ReptileImages.Register();

    public static RootCommand Build()
    {
        var root = new RootCommand("Reptile for .NET: first-order meta-learning (Nichol, Achiam & Schulman, 2018) on a pure-managed SIMD engine")
        {
            VerboseOption,
            SineCommand.Create(),
            OmniglotCommand.Create(),
            ImagesCommand.Create(),
            ClassifyCommand.Create(),
            BenchCommand.Create(),
            InfoCommand.Create(),
        };
        InfoCommand.ReplaceVersionAction(root);
        return root;
    }

    public static int Run(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        ExitCodes.Verbose = Environment.GetEnvironmentVariable(ExitCodes.VerboseVariable) == "1"
            || parse.GetValue(VerboseOption);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine();
            // Show the usage of the command the user was typing.
            var path = args.TakeWhile(a => !a.StartsWith('-')).Append("--help").ToArray();
            root.Parse(path).Invoke(new InvocationConfiguration { Output = Console.Error });
            return ExitCodes.Usage;
        }
        // Commands guard their own bodies; this catches what escapes them (and System.CommandLine's default handler,
        // which would print a whole trace, is off).
        return MpiLaunch.Finish(ExitCodes.Guard(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false })));
    }
}
