namespace Reptile.Tests.Support;

/// <summary>A fact that needs FIFOs and symbolic links to devices: skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "FIFOs and /dev/zero exist only on Unix.";
    }
}
