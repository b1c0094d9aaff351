namespace Reptile.Tests.Support;

/// <summary>A fact that needs Open MPI's mpirun: skipped (with the reason) when it is not on the PATH, failing instead
/// when CI requires it ($REPTILE_REQUIRE_DATA=1; .ci/run installs Open MPI).</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (Mpirun.Path == null && !SharedData.Required)
            Skip = "mpirun is not on the PATH (Debian: apt-get install openmpi-bin libopenmpi-dev); CI sets REPTILE_REQUIRE_DATA=1 to make this a failure.";
    }
}
