using System.Buffers.Binary;
using System.Text;
using Reptile.IO;
using Xunit.Abstractions;

namespace Reptile.Tests.IO;

/// <summary>The .npy reader on truncated, randomly edited and crafted files.</summary>
public class NpyReaderMutationTests(ITestOutputHelper output)
{
    private const string Name = "mutant.npy";

    private static byte[] ValidNpy() => NpyTestFiles.Build("<f4", [2, 3], NpyTestFiles.Singles(1, 2, 3, 4, 5, 6));

    [Fact]
    public void MutatedFilesParseOrAreRefusedNamingTheFile()
    {
        int k = 0;
        FileMutations.Check("NpyReader", output, ValidNpy(), FileMutations.NpyReaderCases, seed: 2, Name,
            bytes => NpyReader.Read(k++ % 2 == 0 ? new MemoryStream(bytes) : new NonSeekableStream(bytes), Name));
    }

    [Fact]
    public void SmallFileClaimingTwoGigabytesAllocatesNothingLarge()
    {
        var npy = NpyTestFiles.Build("|u1", [1_900_000_000], new byte[16]);
        Assert.True(npy.Length < 256, $"{npy.Length} bytes");
        FileMutations.Refused(Name, "shape", () => NpyReader.Read(new MemoryStream(npy), Name));
        // Over the limit too, a stream that cannot tell its length runs out of bytes before the buffer grows large.
        var unlimited = new ReadLimits { MaxTensorBytes = long.MaxValue };
        var e = FileMutations.Refused(Name, "shape", () => NpyReader.Read(new MemoryStream(npy), Name, unlimited));
        Assert.Contains("truncated", e.Message);
        FileMutations.Refused(Name, "data", () => NpyReader.Read(new NonSeekableStream(npy), Name, unlimited));
    }

    [Fact]
    public void ShapeWhoseByteCountOverflowsIsRefused()
    {
        var npy = NpyTestFiles.Build("<f8", [int.MaxValue, int.MaxValue, int.MaxValue], new byte[8]);
        FileMutations.Refused(Name, "shape", () => NpyReader.Read(new MemoryStream(npy), Name));
    }

    [Fact]
    public void HugeVersion2HeaderLengthIsRefused()
    {
        var npy = NpyTestFiles.Build("<f4", [1], new byte[4], major: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(npy.AsSpan(8), 0xFFFFFFFF);
        FileMutations.Refused(Name, "header length", () => NpyReader.Read(new MemoryStream(npy), Name));
    }

    [Fact]
    public void TrailingBytesAfterTheDataAreRefused()
    {
        var npy = NpyTestFiles.Build("<f4", [1], new byte[8]);
        var e = FileMutations.Refused(Name, "shape", () => NpyReader.Read(new MemoryStream(npy), Name));
        Assert.Contains("extra bytes", e.Message);
    }

    [Fact]
    public void CorruptCompressionInTheCallersStreamIsRefusedNamingTheSource()
    {
        var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(NpyTestFiles.Build("<f8", [64], new byte[512]));
        var bytes = compressed.ToArray();
        bytes[10] = 0x07; // the first deflate block: final, of the reserved (invalid) type 3
        var e = Assert.Throws<InvalidFileException>(() =>
            NpyReader.Read(new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress), Name));
        Assert.Equal(Name, e.FilePath);
        Assert.Equal("magic", e.Field);
        Assert.Contains("cannot decompress", e.Message);
    }

    [Fact]
    public void HeaderWithLineBreaksGivesAOneLineMessage()
    {
        var npy = NpyTestFiles.Build("<f4", [1], new byte[4]);
        Encoding.ASCII.GetBytes("\n\n'q").CopyTo(npy, 12);
        FileMutations.Refused(Name, "header", () => NpyReader.Read(new MemoryStream(npy), Name));
    }
}
