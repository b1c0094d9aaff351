using System.CommandLine;
using Reptile.Cli.Commands;

namespace Reptile.Cli;

/// <summary>The `reptile` command line: parses, dispatches to a command, and maps errors to exit codes.</summary>
public static class ReptileCli
{
    public static RootCommand Build() =>
        new("Reptile for .NET: first-order meta-learning (Nichol, Achiam & Schulman, 2018) on a pure-managed SIMD engine")
        {
            SineCommand.Create(),
            OmniglotCommand.Create(),
            ImagesCommand.Create(),
            BenchCommand.Create(),
        };

    public static int Run(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine();
            // Show the usage of the command the user was typing.
            var path = args.TakeWhile(a => !a.StartsWith('-')).Append("--help").ToArray();
            root.Parse(path).Invoke(new InvocationConfiguration { Output = Console.Error });
            return ExitCodes.Usage;
        }
        return MpiLaunch.Finish(parse.Invoke());
    }
}
