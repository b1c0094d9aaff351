using System.CommandLine;
using System.CommandLine.Invocation;

namespace Reptile.Cli.Commands;

/// <summary>`reptile info` (and `reptile --version`): the version, JIT or Native AOT, and the SIMD path in use.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the version, the runtime (JIT or Native AOT), the CPU's vector extensions and the SIMD path in use");
        command.SetAction(_ => Print());
        return command;
    }

    /// <summary>Makes the root command's --version print the same lines (System.CommandLine's own prints the version only).</summary>
    public static void ReplaceVersionAction(RootCommand root)
    {
        foreach (var option in root.Options)
            if (option is VersionOption version) version.Action = new PrintAction();
    }

    private static int Print()
    {
        foreach (var line in BuildInfo.Lines()) Console.WriteLine(line);
        return ExitCodes.Success;
    }

    private sealed class PrintAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) => Print();
    }
}
