using System.CommandLine;
using Reptile.Cli;
using Reptile.Cli.Commands;

var root = new RootCommand("Reptile for .NET: first-order meta-learning (Nichol, Achiam & Schulman, 2018) on a pure-managed SIMD engine")
{
    SineCommand.Create(),
    OmniglotCommand.Create(),
};
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine();
    Console.Error.WriteLine($"Usage: see 'reptile {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))} --help'.");
    return ExitCodes.Usage;
}
return parse.Invoke();
