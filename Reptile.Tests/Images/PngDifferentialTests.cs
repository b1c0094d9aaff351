using Reptile.Data;
using Reptile.Images;
using Reptile.IO;
using Reptile.Tests.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.Images;

/// <summary>
/// Our PNG decoder against StbImageSharp as an independent oracle: random valid PNGs of every colour type, bit depth
/// and filter decode to the same pixels; Adam7-interlaced ones (which our decoder leaves to Reptile.Images) decode to
/// the pixels of their non-interlaced twin.
/// </summary>
public class PngDifferentialTests
{
    private static readonly (int ColorType, int BitDepth)[] Formats =
        [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)];

    /// <summary>A random image in the format: samples [row, column·channels] and, for palette images, a palette.</summary>
    private static (int Width, int Height, int ColorType, int BitDepth, int[,] Samples, byte[]? Palette) RandomPng(Rng rng)
    {
        var (colorType, bitDepth) = rng.Pick(Formats);
        int width = 1 + rng.NextInt(19), height = 1 + rng.NextInt(13);
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        byte[]? palette = null;
        int limit = 1 << bitDepth;
        if (colorType == 3)
        {
            int entries = 1 + rng.NextInt(Math.Min(256, limit));
            palette = new byte[3 * entries];
            for (int i = 0; i < palette.Length; i++) palette[i] = (byte)rng.NextInt(256);
            limit = entries;
        }
        var samples = new int[height, width * channels];
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width * channels; c++)
                samples[r, c] = rng.NextInt(limit);
        return (width, height, colorType, bitDepth, samples, palette);
    }

    private static PixelImage Ours(byte[] png) => PngDecoder.DecodePixels(new MemoryStream(png), "ours.png");

    private static PixelImage Stb(byte[] png) => StbImageDecoder.Instance.Decode(new MemoryStream(png), "stb.png", ReadLimits.Default);

    private static void AssertSamePixels(PixelImage expected, PixelImage actual, string format)
    {
        Assert.True(expected.Channels == actual.Channels, $"{format}: {expected.Channels} vs {actual.Channels} channels");
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        Assert.True(expected.Pixels.SequenceEqual(actual.Pixels), $"{format}: the pixels differ");
    }

    [Fact]
    public void OurDecoderGivesStbImageSharpsPixelsForEveryColourTypeAndDepth() => Property.ForAll(rng =>
    {
        var (width, height, colorType, bitDepth, samples, palette) = RandomPng(rng);
        int filter = rng.NextInt(6); // 0-4 for every row, 5: a random filter per row
        var rows = PngTestEncoder.Pack(samples, bitDepth);
        var png = PngTestEncoder.Encode(width, height, colorType, bitDepth, rows, r => filter < 5 ? filter : (r * 7 + 3) % 5, palette);
        AssertSamePixels(Stb(png), Ours(png), $"{width}x{height} colour type {colorType}, {bitDepth} bits, filter {filter}");
    }, runs: 300);

    [Fact]
    public void InterlacedPngsDecodeThroughReptileImagesToTheirNonInterlacedTwinsPixels() => Property.ForAll(rng =>
    {
        var (width, height, colorType, bitDepth, samples, palette) = RandomPng(rng);
        var plain = PngTestEncoder.Encode(width, height, colorType, bitDepth, PngTestEncoder.Pack(samples, bitDepth), r => r % 5, palette);
        var interlaced = PngTestEncoder.EncodeInterlaced(width, height, colorType, bitDepth, samples, r => (r + 2) % 5, palette);
        Assert.False(PngImageDecoder.Instance.CanDecode(interlaced.AsSpan(0, ImageDecoders.HeaderLength)));
        Assert.True(PngImageDecoder.Instance.CanDecode(plain.AsSpan(0, ImageDecoders.HeaderLength)));
        AssertSamePixels(Ours(plain), Stb(interlaced), $"{width}x{height} colour type {colorType}, {bitDepth} bits, interlaced");
    }, runs: 150);

    [Fact]
    public void AnInterlacedPngFileIsReadOnceReptileImagesIsRegistered()
    {
        ReptileImages.Register();
        var rng = new Rng(5);
        var samples = new int[9, 11 * 3];
        for (int r = 0; r < 9; r++) for (int c = 0; c < 33; c++) samples[r, c] = rng.NextInt(256);
        using var dir = new TempDir();
        var path = dir.Write("adam7.png", PngTestEncoder.EncodeInterlaced(11, 9, 2, 8, samples));
        var image = PixelImage.Load(path);
        Assert.Equal(3, image.Channels);
        Assert.Equal(samples[8, 32], image.Pixels[^1]);
        Assert.Equal(samples[0, 0], image.Pixels[0]);
        // Core's own decoder still refuses it, saying why.
        var e = Assert.Throws<InvalidFileException>(() => PngDecoder.DecodeFile(path));
        Assert.Contains("interlaced", e.Message);
    }
}
