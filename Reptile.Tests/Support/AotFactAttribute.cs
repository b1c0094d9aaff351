namespace Reptile.Tests.Support;

/// <summary>A fact that publishes the CLI with Native AOT (a minute or more of ILCompiler on two cores): skipped
/// unless $REPTILE_AOT_TEST=1, which .ci/run sets, so a plain `dotnet test` stays fast.</summary>
public sealed class AotFactAttribute : FactAttribute
{
    public const string Variable = "REPTILE_AOT_TEST";

    public AotFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"Publishes the CLI with Native AOT (slow); set {Variable}=1 to run it (CI does).";
        else if (!OperatingSystem.IsLinux())
            Skip = "The Native AOT test publishes for linux-x64 or linux-arm64 only.";
    }
}
