using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Reptile.Kernels;
using Reptile.Tests.Support;

namespace Reptile.Tests.Aot;

/// <summary>
/// The CLI published with Native AOT for this machine's instruction set (IlcInstructionSet=native): no trim or AOT
/// warnings, a vector path (not the scalar one a baseline build runs), and the JIT build's sine results bit for bit.
/// </summary>
public class NativeAotTests
{
    private sealed record Published(string Binary, string Log);

    private static readonly Lazy<Published> Aot = new(Publish);

    private static Published Publish()
    {
        var repository = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repository, "Reptile.sln")))
            repository = Path.GetDirectoryName(repository.TrimEnd('/')) ?? throw new DirectoryNotFoundException("Reptile.sln above the tests");
        var output = Directory.CreateTempSubdirectory("reptile-aot-").FullName;
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        // Its own artifacts folder, so the publish leaves the work tree's bin/ and obj/ (and a running build) alone.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "publish", Path.Combine(repository, "Reptile.Cli", "Reptile.Cli.csproj"), "-c", "Release", "-r", rid,
                     "-p:PublishAot=true", "-p:IlcInstructionSet=native", "--artifacts-path", Path.Combine(output, "artifacts"),
                     "-o", Path.Combine(output, "bin") })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet publish -p:PublishAot=true did not finish in 10 minutes");
        }
        var log = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"dotnet publish -p:PublishAot=true failed:\n{log}");
        return new Published(Path.Combine(output, "bin", "reptile"), log);
    }

    private static (int ExitCode, string Out, string Error) RunAot(params string[] args)
    {
        var info = new ProcessStartInfo(Aot.Value.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"reptile {string.Join(' ', args)} (Native AOT) did not finish in time");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    [AotFact]
    public void PublishesWithoutWarnings()
    {
        // SourceLink notes that a clone's remote is a local folder (CI clones from one) or missing: a fact about where
        // the sources came from, not about the build, so it is the one warning left out.
        var warnings = Aot.Value.Log.Split('\n').Where(l => l.Contains(": warning ") && !l.Contains("Microsoft.Build.Tasks.Git.targets")).Distinct().ToList();
        Assert.True(warnings.Count == 0, "dotnet publish -p:PublishAot=true warned:\n" + string.Join("\n", warnings));
    }

    [AotFact]
    public void VersionReportsNativeAotOnTheJitsVectorPath()
    {
        var (code, output, error) = RunAot("--version");
        Assert.True(code == 0, error);
        Assert.Contains("Native AOT", output);
        Assert.NotEqual(SimdPath.Scalar, Simd.Best);
        Assert.Contains($"simd path: {Simd.Best}", output);
    }

    [AotFact]
    public void SineGivesTheJitBuildsNumbersBitForBit()
    {
        var folder = Directory.CreateTempSubdirectory("reptile-aot-sine-").FullName;
        string[] flags = ["sine", "--meta-iters", "2000", "--eval-tasks", "50", "--json"];
        var jit = CliProcess.Run([.. flags, Path.Combine(folder, "jit.json")]);
        Assert.True(jit.ExitCode == 0, jit.Error);
        var aot = RunAot([.. flags, Path.Combine(folder, "aot.json")]);
        Assert.True(aot.ExitCode == 0, aot.Error);
        Assert.Equal(Results(Path.Combine(folder, "jit.json")), Results(Path.Combine(folder, "aot.json")));
    }

    /// <summary>Every value but the timings, as written (shortest round-trip text, so equal text is equal bits).</summary>
    private static List<string> Results(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var values = document.RootElement.EnumerateObject()
            .Where(p => p.Name is not ("train_seconds" or "ms_per_meta_iter"))
            .Select(p => $"{p.Name}={p.Value.GetRawText()}").ToList();
        Assert.Contains(values, v => v.StartsWith("reptile_mse="));
        return values;
    }
}
