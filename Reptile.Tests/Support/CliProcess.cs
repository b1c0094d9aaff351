using System.Diagnostics;

namespace Reptile.Tests.Support;

/// <summary>The `reptile` command in a child process (built beside the tests), run directly or under a launcher
/// such as mpirun.</summary>
public static class CliProcess
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "reptile.dll");

    /// <summary>Starts <c>[launcher…] dotnet reptile.dll args</c> with its output drained (for tests that kill it).</summary>
    public static Process Start(IEnumerable<string> args, IEnumerable<string>? launcher = null)
    {
        var process = Process.Start(Info(args, launcher))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs to the end (at most <paramref name="timeout"/>) and returns the exit code and both outputs.</summary>
    public static (int ExitCode, string Out, string Error) Run(IEnumerable<string> args, IEnumerable<string>? launcher = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(Info(args, launcher))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"reptile {string.Join(' ', args)} did not finish in time");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    private static ProcessStartInfo Info(IEnumerable<string> args, IEnumerable<string>? launcher)
    {
        var command = (launcher ?? []).Concat(["dotnet", Dll]).Concat(args).ToList();
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        return info;
    }
}
