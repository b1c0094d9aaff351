using System.IO.Compression;
using Reptile.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.IO;

public class PngTests
{
    private static PngImage Decode(byte[] png, string name = "test.png") => PngDecoder.Decode(new MemoryStream(png), name);

    private static int[,] RandomSamples(int h, int w, int max, ulong seed)
    {
        var rng = new Rng(seed);
        var s = new int[h, w];
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) s[r, c] = rng.NextInt(max + 1);
        return s;
    }

    [Fact]
    public void Crc32MatchesKnownValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0xAE426082u, Crc32.Compute("IEND"u8)); // the constant CRC every PNG ends with
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Gray8EachFilter(int filter)
    {
        var s = RandomSamples(7, 9, 255, (ulong)filter);
        var img = Decode(PngTestEncoder.Encode(9, 7, 0, 8, PngTestEncoder.Pack(s, 8), _ => filter));
        Assert.Equal(9, img.Width);
        Assert.Equal(7, img.Height);
        for (int r = 0; r < 7; r++) for (int c = 0; c < 9; c++) Assert.Equal(s[r, c], img[r, c]);
    }

    [Fact]
    public void MixedFiltersPerRowWithMultiByteColour()
    {
        var rng = new Rng(5);
        int w = 6, h = 10;
        var rgba = new int[h, w * 4];
        for (int r = 0; r < h; r++) for (int c = 0; c < w * 4; c++) rgba[r, c] = rng.NextInt(256);
        var img = Decode(PngTestEncoder.Encode(w, h, 6, 8, PngTestEncoder.Pack(rgba, 8), r => r % 5));
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
                Assert.Equal(Luma(rgba[r, 4 * c], rgba[r, 4 * c + 1], rgba[r, 4 * c + 2]), img[r, c]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void GrayLowBitDepths(int depth)
    {
        int max = (1 << depth) - 1;
        // Odd widths leave padding bits at the end of each row.
        var s = RandomSamples(5, 11, max, (ulong)depth);
        var img = Decode(PngTestEncoder.Encode(11, 5, 0, depth, PngTestEncoder.Pack(s, depth), r => r % 5));
        for (int r = 0; r < 5; r++) for (int c = 0; c < 11; c++) Assert.Equal(s[r, c] * 255 / max, img[r, c]);
        if (depth == 1) Assert.All(img.Gray, v => Assert.True(v is 0 or 255));
    }

    [Fact]
    public void Gray16KeepsHighByte()
    {
        var s = RandomSamples(4, 5, 65535, 16);
        var img = Decode(PngTestEncoder.Encode(5, 4, 0, 16, PngTestEncoder.Pack(s, 16), r => r % 5));
        for (int r = 0; r < 4; r++) for (int c = 0; c < 5; c++) Assert.Equal(s[r, c] >> 8, img[r, c]);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void RgbToLuma(int depth)
    {
        int max = (1 << depth) - 1;
        var s = RandomSamples(3, 4 * 3, max, 2);
        var img = Decode(PngTestEncoder.Encode(4, 3, 2, depth, PngTestEncoder.Pack(s, depth), r => 4 - r));
        int shift = depth - 8;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(Luma(s[r, 3 * c] >> shift, s[r, 3 * c + 1] >> shift, s[r, 3 * c + 2] >> shift), img[r, c]);
    }

    [Fact]
    public void KnownRgbLumaValues()
    {
        var px = new int[1, 9] { { 255, 0, 0, 0, 255, 0, 0, 0, 255 } };
        var img = Decode(PngTestEncoder.Encode(3, 1, 2, 8, PngTestEncoder.Pack(px, 8)));
        Assert.Equal([76, 150, 29], img.Gray); // PIL's convert("L") of pure red, green, blue
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void GrayAlphaIgnoresAlpha(int depth)
    {
        int max = (1 << depth) - 1;
        var s = RandomSamples(3, 2 * 5, max, 4);
        var img = Decode(PngTestEncoder.Encode(5, 3, 4, depth, PngTestEncoder.Pack(s, depth), r => r + 1));
        for (int r = 0; r < 3; r++) for (int c = 0; c < 5; c++) Assert.Equal(s[r, 2 * c] >> (depth - 8), img[r, c]);
    }

    [Fact]
    public void Rgba16()
    {
        var s = RandomSamples(2, 4 * 3, 65535, 6);
        var img = Decode(PngTestEncoder.Encode(3, 2, 6, 16, PngTestEncoder.Pack(s, 16), r => 3 + r));
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(Luma(s[r, 4 * c] >> 8, s[r, 4 * c + 1] >> 8, s[r, 4 * c + 2] >> 8), img[r, c]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void PaletteDepths(int depth)
    {
        int entries = 1 << depth;
        var rng = new Rng(99);
        var palette = new byte[entries * 3];
        for (int i = 0; i < palette.Length; i++) palette[i] = (byte)rng.NextInt(256);
        var s = RandomSamples(4, 7, entries - 1, (ulong)depth + 10);
        var img = Decode(PngTestEncoder.Encode(7, 4, 3, depth, PngTestEncoder.Pack(s, depth), r => r % 5, palette));
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 7; c++)
            {
                int i = s[r, c];
                Assert.Equal(Luma(palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]), img[r, c]);
            }
    }

    [Fact]
    public void PaletteIndexOutOfRangeIsInvalid()
    {
        var palette = new byte[] { 0, 0, 0, 255, 255, 255 }; // 2 entries
        var s = new int[1, 2] { { 1, 3 } };
        Throws.Naming<InvalidFileException>("pal.png", () => Decode(PngTestEncoder.Encode(2, 1, 3, 2, PngTestEncoder.Pack(s, 2), palette: palette), "pal.png"));
    }

    [Fact]
    public void InterlacedIsRefusedNamingFile()
    {
        var png = PngTestEncoder.Encode(2, 2, 0, 8, PngTestEncoder.Pack(new int[2, 2], 8), interlaced: true);
        var e = Throws.Naming<InvalidFileException>("adam7.png", () => Decode(png, "adam7.png"));
        Assert.Contains("interlaced", e.Message);
    }

    private static byte[] Small() => PngTestEncoder.Encode(4, 4, 0, 8, PngTestEncoder.Pack(RandomSamples(4, 4, 255, 1), 8));

    [Fact]
    public void BadSignature()
    {
        var png = Small();
        png[1] = (byte)'X';
        var e = Throws.Naming<InvalidFileException>("sig.png", () => Decode(png, "sig.png"));
        Assert.Contains("signature", e.Message);
    }

    [Fact]
    public void BadCrc()
    {
        var png = Small();
        png[8 + 8 + 3] ^= 1; // a byte inside the IHDR data
        var e = Throws.Naming<InvalidFileException>("crc.png", () => Decode(png, "crc.png"));
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void TruncatedAtEveryLength()
    {
        var png = Small();
        for (int len = 0; len < png.Length; len++)
        {
            Throws.Naming<InvalidFileException>("cut.png", () => Decode(png[..len], "cut.png"));
        }
    }

    [Fact]
    public void WrongDataLength()
    {
        // Rows for a 4x3 image declared as 4x4: the inflated data is too short.
        var png = PngTestEncoder.Encode(4, 3, 0, 8, PngTestEncoder.Pack(new int[3, 4], 8));
        png[8 + 8 + 7] = 4; // height low byte in IHDR
        FixIhdrCrc(png);
        var e = Throws.Naming<InvalidFileException>("short.png", () => Decode(png, "short.png"));
        Assert.Contains("too short", e.Message);
        // And too long: declared as 4x2.
        png[8 + 8 + 7] = 2;
        FixIhdrCrc(png);
        e = Assert.Throws<InvalidFileException>(() => Decode(png, "long.png"));
        Assert.Contains("long.png", e.Message);
    }

    [Fact]
    public void InflateFailure()
    {
        // A valid chunk structure (good CRCs) around bytes that are not a zlib stream.
        var ms = new MemoryStream();
        var good = Small();
        ms.Write(good.AsSpan(0, 8 + 25)); // signature + IHDR
        var junk = new byte[] { 0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x12 };
        WriteChunk(ms, "IDAT", junk);
        WriteChunk(ms, "IEND", []);
        Throws.Naming<InvalidFileException>("zlib.png", () => Decode(ms.ToArray(), "zlib.png"));
    }

    [Fact]
    public void UnknownFilterType()
    {
        var png = PngTestEncoder.Encode(2, 2, 0, 8, PngTestEncoder.Pack(new int[2, 2], 8), _ => 0);
        // Re-encode IDAT with filter byte 7 on row 1.
        var raw = new byte[] { 0, 1, 2, 7, 3, 4 };
        var comp = new MemoryStream();
        using (var z = new ZLibStream(comp, CompressionLevel.Optimal, true)) z.Write(raw);
        var ms = new MemoryStream();
        ms.Write(png.AsSpan(0, 8 + 25));
        WriteChunk(ms, "IDAT", comp.ToArray());
        WriteChunk(ms, "IEND", []);
        var e = Throws.Naming<InvalidFileException>("filter.png", () => Decode(ms.ToArray(), "filter.png"));
        Assert.Contains("filter type 7", e.Message);
    }

    [Fact]
    public void DecodeFileMissingAndPresent()
    {
        using var dir = new TempDir();
        var path = dir.Write("a.png", Small());
        Assert.Equal(4, PngDecoder.DecodeFile(path).Width);
        var missing = dir.File("none.png");
        Throws.Naming<FileNotFoundException>(missing, () => PngDecoder.DecodeFile(missing));
    }

    [SharedDataFact]
    public void EveryOmniglotSmall1PngMatchesTheNpz()
    {
        using var zip = ZipFile.OpenRead(SharedData.Omniglot("images_background_small1.zip"));
        var pngs = zip.Entries.Where(e => e.FullName.EndsWith(".png", StringComparison.Ordinal)).ToList();
        Assert.Equal(2720, pngs.Count); // 136 characters × 20 drawings
        var byId = pngs.GroupBy(e => int.Parse(e.Name[..4])).ToDictionary(g => g.Key, g => g.ToList());

        using var npz = NpzArchive.Open(SharedData.Omniglot("images_background.npz"));
        var (header, data) = npz.OpenData("images");
        using (data)
        {
            int drawings = header.Shape[1], side = header.Shape[2];
            var character = new byte[drawings * side * side];
            int checkedImages = 0;
            for (int id = 1; id <= header.Shape[0]; id++)
            {
                npz.ReadData("images", header, data, character);
                if (!byId.TryGetValue(id, out var entries)) continue;
                foreach (var entry in entries)
                {
                    int drawing = int.Parse(entry.Name[5..7]);
                    PngImage img;
                    using (var s = entry.Open()) img = PngDecoder.Decode(s, entry.FullName);
                    Assert.Equal(105, img.Width);
                    Assert.Equal(105, img.Height);
                    var expected = character.AsSpan((drawing - 1) * side * side, side * side);
                    for (int i = 0; i < expected.Length; i++)
                        if ((img.Gray[i] == 255) != (expected[i] != 0) || img.Gray[i] is not (0 or 255))
                            Assert.Fail($"{entry.FullName}: pixel {i} is {img.Gray[i]}, npz says {expected[i]}");
                    checkedImages++;
                }
            }
            Assert.Equal(2720, checkedImages);
        }
    }

    private static int Luma(int r, int g, int b) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;

    private static void FixIhdrCrc(byte[] png)
    {
        uint crc = Crc32.Compute(png.AsSpan(12, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc);
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        var b4 = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b4, (uint)data.Length);
        s.Write(b4);
        var t = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b4, Crc32.Update(Crc32.Compute(t), data));
        s.Write(b4);
    }
}
