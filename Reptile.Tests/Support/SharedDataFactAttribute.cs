namespace Reptile.Tests.Support;

/// <summary>A fact that needs ../shared: skipped (with the reason) when it is absent, unless CI requires it.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Root == null && !SharedData.Required)
            Skip = "Shared data (../shared or $REPTILE_DATA) is absent on this machine; CI sets REPTILE_REQUIRE_DATA=1 to make this a failure.";
    }
}
