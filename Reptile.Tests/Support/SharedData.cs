namespace Reptile.Tests.Support;

/// <summary>
/// Finds the shared data and reference files that live beside the repository (../shared), or under
/// $REPTILE_DATA. Tests that need them use <see cref="SharedDataFactAttribute"/>: skipped with a message
/// on a clone without the data, failing instead when $REPTILE_REQUIRE_DATA=1 (as CI sets it).
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = FindRoot();

    public static bool Required => Environment.GetEnvironmentVariable("REPTILE_REQUIRE_DATA") == "1";

    public static string OmniglotDir => Path.Combine(RequireRoot(), "data", "omniglot");

    public static string ReferenceDir => Path.Combine(RequireRoot(), "reference");

    public static string Omniglot(string file) => Path.Combine(OmniglotDir, file);

    public static string Reference(string file) => Path.Combine(ReferenceDir, file);

    private static string RequireRoot() =>
        Root ?? throw new DirectoryNotFoundException(
            "Shared data not found: set REPTILE_DATA to the folder holding data/ and reference/, or place it at ../shared beside the repository.");

    private static string? FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("REPTILE_DATA");
        if (!string.IsNullOrEmpty(env))
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Reptile.sln")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(shared) ? shared : null;
            }
        }
        return null;
    }
}
