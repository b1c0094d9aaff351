namespace Reptile.Tests.IO;

/// <summary>What one mutation suite saw: cases run, how many parsed and how many were refused, and the most any one case allocated.</summary>
internal sealed record MutationReport(int Cases, int Parsed, int Rejected, long MaxAllocatedBytes)
{
    public override string ToString() => $"{Cases} cases: {Parsed} parsed, {Rejected} refused; max allocation {MaxAllocatedBytes / 1024.0:F1} KiB";
}
