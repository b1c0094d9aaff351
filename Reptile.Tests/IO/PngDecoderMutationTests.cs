using System.Buffers.Binary;
using Reptile.IO;
using Xunit.Abstractions;

namespace Reptile.Tests.IO;

/// <summary>The PNG decoder on truncated, randomly edited and crafted files (the findings of the fuzzing issue).</summary>
public class PngDecoderMutationTests(ITestOutputHelper output)
{
    private const string Name = "mutant.png";

    /// <summary>A 6×5 8-bit gray image using all five filters, an ancillary chunk and two IDAT chunks.</summary>
    private static byte[] ValidPng()
    {
        var samples = new int[5, 6];
        for (int r = 0; r < 5; r++)
            for (int x = 0; x < 6; x++) samples[r, x] = (r * 37 + x * 11) % 256;
        return PngTestEncoder.Encode(6, 5, 0, 8, PngTestEncoder.Pack(samples, 8), r => r % 5);
    }

    /// <summary>A valid 1×1 gray PNG with IHDR's width and height replaced (CRCs fixed).</summary>
    private static byte[] WithSize(uint width, uint height)
    {
        var png = PngTestEncoder.Encode(1, 1, 0, 8, PngTestEncoder.Pack(new int[1, 1], 8));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), height);
        return PngTestEncoder.WithFixedCrcs(png);
    }

    [Fact]
    public void ValidFileDecodes() => Assert.Equal(6, PngDecoder.Decode(new MemoryStream(ValidPng()), Name).Width);

    [Fact]
    public void MutatedFilesParseOrAreRefusedNamingTheFile()
    {
        int k = 0;
        // Every other case through a stream that cannot tell its length, where allocation must follow the bytes that arrive.
        FileMutations.Check("PngDecoder", output, ValidPng(), FileMutations.PngDecoderCases, seed: 1, Name,
            bytes => PngDecoder.Decode(k++ % 2 == 0 ? new MemoryStream(bytes) : new NonSeekableStream(bytes), Name), repair: PngTestEncoder.WithFixedCrcs);
    }

    [Fact]
    public void WidthThatOverflowedTheSizeComputationIsRefused()
    {
        var png = WithSize(0x0D000001, 1);
        FileMutations.Refused(Name, "IHDR width × height", () => PngDecoder.Decode(new MemoryStream(png), Name));
        // Even with no pixel limit, sizes are computed in 64 bits: too large for a buffer, or for the compressed data.
        var unlimited = new ReadLimits { MaxImagePixels = long.MaxValue };
        FileMutations.Refused(Name, "IHDR width × height", () => PngDecoder.Decode(new MemoryStream(WithSize(0x0D000001, 0x0D000001)), Name, unlimited));
        FileMutations.Refused(Name, "IDAT", () => PngDecoder.Decode(new MemoryStream(WithSize(0x0D000001, 1)), Name, unlimited));
    }

    [Fact]
    public void ChunkLengthOf2GiBIsRefusedWithoutAllocatingIt()
    {
        var png = ValidPng();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(33), 0x7FFFFFFF); // the tEXt chunk after IHDR
        FileMutations.Refused(Name, "tEXt chunk length", () => PngDecoder.Decode(new MemoryStream(png), Name));
        FileMutations.Refused(Name, "tEXt chunk data", () => PngDecoder.Decode(new NonSeekableStream(png), Name));
    }

    [Fact]
    public void SmallFileClaimingAGibibyteImageAllocatesNothingLarge()
    {
        var png = WithSize(32768, 32768);
        Assert.True(png.Length < 128, $"{png.Length} bytes");
        var unlimited = new ReadLimits { MaxImagePixels = long.MaxValue };
        var e = FileMutations.Refused(Name, "IDAT", () => PngDecoder.Decode(new MemoryStream(png), Name, unlimited));
        Assert.Contains("cannot hold", e.Message);
        FileMutations.Refused(Name, "IHDR width × height", () => PngDecoder.Decode(new MemoryStream(png), Name));
    }

    [Fact]
    public void MoreImageDataThanTheHeaderCanNeedIsRefusedWhileReading()
    {
        var png = WithSize(1, 1);
        var extra = new byte[12 + 5000];
        BinaryPrimitives.WriteUInt32BigEndian(extra, 5000);
        "IDAT"u8.CopyTo(extra.AsSpan(4));
        new Random(7).NextBytes(extra.AsSpan(8, 5000));
        var withExtra = PngTestEncoder.WithFixedCrcs([.. png[..^12], .. extra, .. png[^12..]]); // before IEND
        var e = FileMutations.Refused(Name, "IDAT", () => PngDecoder.Decode(new MemoryStream(withExtra), Name));
        Assert.Contains("compressed bytes a 1x1 image can need", e.Message);
    }

    [Fact]
    public void ZeroWidthAndHeightAboveTheSpecAreRefused()
    {
        FileMutations.Refused(Name, "IHDR width", () => PngDecoder.Decode(new MemoryStream(WithSize(0, 1)), Name));
        FileMutations.Refused(Name, "IHDR height", () => PngDecoder.Decode(new MemoryStream(WithSize(1, 0x80000000)), Name));
    }
}
