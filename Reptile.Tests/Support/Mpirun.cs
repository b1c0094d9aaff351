namespace Reptile.Tests.Support;

/// <summary>How the tests launch ranks.</summary>
public static class Mpirun
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(d => System.IO.Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    /// <summary>mpirun with <paramref name="ranks"/> ranks on this machine (oversubscribed: more ranks than cores is
    /// fine for tests), as root when the tests run as root, plus any extra options.</summary>
    public static string[] Launcher(int ranks, params string[] options) =>
    [
        Path ?? throw new InvalidOperationException("mpirun is not on the PATH: install openmpi-bin."),
        .. Environment.UserName == "root" ? new[] { "--allow-run-as-root" } : [],
        "--oversubscribe", "-np", ranks.ToString(), .. options,
    ];
}
