using System.IO.Compression;
using Reptile.IO;
using Xunit.Abstractions;

namespace Reptile.Tests.IO;

/// <summary>The .npz reader (zip directory, entries, the arrays in them) on truncated, randomly edited and crafted archives.</summary>
public class NpzArchiveMutationTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static byte[] ValidNpz() => TestZips.Build(
        ("a.npy", NpyTestFiles.Build("<f4", [3], NpyTestFiles.Singles(1, 2, 3)), CompressionLevel.Optimal),
        ("b.npy", NpyTestFiles.Build("|u1", [2], [7, 9]), CompressionLevel.NoCompression));

    private static void ReadAll(string path, ReadLimits? limits = null)
    {
        using var npz = NpzArchive.Open(path, limits);
        foreach (var name in npz.Names) npz.Get(name);
    }

    [Fact]
    public void MutatedArchivesParseOrAreRefusedNamingTheFile()
    {
        var path = dir.File("mutant.npz");
        FileMutations.Check("NpzArchive", output, ValidNpz(), FileMutations.NpzArchiveCases, seed: 3, path,
            bytes => { File.WriteAllBytes(path, bytes); ReadAll(path); });
    }

    [Fact]
    public void SmallArchiveClaimingTwoGigabytesAllocatesNothingLarge()
    {
        var noise = new byte[13_000];
        new Random(4).NextBytes(noise);
        var path = dir.Write("mutant.npz", TestZips.Build(("images.npy", NpyTestFiles.Build("|u1", [1_900_000_000], noise), CompressionLevel.Optimal)));
        Assert.True(new FileInfo(path).Length < 16_000);
        FileMutations.Refused(path, "shape", () => ReadAll(path), entry: "images.npy");
        FileMutations.Refused(path, "shape", () => { using var npz = NpzArchive.Open(path); npz.OpenData("images"); }, entry: "images.npy");
    }

    [Fact]
    public void EntryClaimingMoreThanTheInflateLimitIsRefusedBeforeInflating()
    {
        var path = dir.Write("mutant.npz", TestZips.WithUncompressedSize(ValidNpz(), 0x60000000)); // 1.5 GiB
        var e = FileMutations.Refused(path, "uncompressed size", () => ReadAll(path), entry: "a.npy");
        Assert.Contains("MaxInflatedEntryBytes", e.Message);
    }

    [Fact]
    public void EntryClaimingMoreThanDeflateCanProduceIsRefused()
    {
        var path = dir.Write("mutant.npz", TestZips.WithUncompressedSize(ValidNpz(), 0x60000000));
        var e = FileMutations.Refused(path, "uncompressed size", () => ReadAll(path, new ReadLimits { MaxInflatedEntryBytes = long.MaxValue }), entry: "a.npy");
        Assert.Contains("cannot come from", e.Message);
    }

    [Fact]
    public void CorruptCentralDirectoryIsRefusedNamingTheFile()
    {
        var path = dir.Write("mutant.npz", TestZips.WithScrambledDirectory(ValidNpz()));
        FileMutations.Refused(path, "zip central directory", () => ReadAll(path));
    }
}
