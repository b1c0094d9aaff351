using Reptile.Data;
using Reptile.Images;
using Reptile.IO;
using Reptile.Tests.IO;
using StbImageWriteSharp;

namespace Reptile.Tests.Images;

/// <summary>
/// Reptile.Images end to end through <see cref="PixelImage.Load(string, ReadLimits?)"/>: JPEG (baseline written here
/// with StbImageWriteSharp, progressive from a fixture), BMP and GIF give the pixels of the same image as PNG, and bad
/// or oversized files are refused as the library's other readers refuse them.
/// </summary>
public class ImageFormatTests
{
    static ImageFormatTests() => ReptileImages.Register();

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "images", name);

    /// <summary>A smooth colour image (gradients and a disc): what JPEG keeps well.</summary>
    private static byte[] SmoothRgb(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width; c++)
            {
                int i = (r * width + c) * 3;
                bool disc = Math.Pow(r - height / 2.0, 2) + Math.Pow(c - width / 3.0, 2) < 64;
                rgb[i] = (byte)(disc ? 40 : 255 * c / (width - 1));
                rgb[i + 1] = (byte)(disc ? 200 : 255 * r / (height - 1));
                rgb[i + 2] = (byte)(disc ? 90 : 160);
            }
        return rgb;
    }

    private static (double Mean, int Max) Difference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        long sum = 0;
        int max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int d = Math.Abs(a[i] - b[i]);
            sum += d;
            max = Math.Max(max, d);
        }
        return ((double)sum / a.Length, max);
    }

    private static byte[] Jpeg(byte[] pixels, int width, int height, ColorComponents components, int quality)
    {
        var stream = new MemoryStream();
        new ImageWriter().WriteJpg(pixels, width, height, components, stream, quality);
        return stream.ToArray();
    }

    private static byte[] RgbPng(byte[] rgb, int width, int height)
    {
        var rows = new byte[height][];
        for (int r = 0; r < height; r++) rows[r] = rgb.AsSpan(r * width * 3, width * 3).ToArray();
        return PngTestEncoder.Encode(width, height, 2, 8, rows, r => r % 5);
    }

    [Fact]
    public void JpegAndPngOfTheSameImageGiveNearlyTheSamePixels()
    {
        const int width = 64, height = 48;
        var rgb = SmoothRgb(width, height);
        using var dir = new TempDir();
        var png = PixelImage.Load(dir.Write("image.png", RgbPng(rgb, width, height)));
        var jpeg = PixelImage.Load(dir.Write("image.jpg", Jpeg(rgb, width, height, ColorComponents.RedGreenBlue, 95)));
        Assert.Equal((3, width, height), (jpeg.Channels, jpeg.Width, jpeg.Height));
        Assert.True(png.Pixels.SequenceEqual(rgb));
        var (mean, max) = Difference(png.Pixels, jpeg.Pixels);
        Assert.True(mean < 3 && max < 48, $"JPEG differs from PNG by {mean:F2} on average, {max} at most");
        // A JPEG of other pixels is not near: the comparison can fail.
        var other = PixelImage.Load(dir.Write("other.jpg", Jpeg(SmoothRgb(width, height).Reverse().ToArray(), width, height, ColorComponents.RedGreenBlue, 95)));
        Assert.True(Difference(png.Pixels, other.Pixels).Mean > 20);

        // stb_image_write stores gray input as three YCbCr components, so it reads back as colour; its luminance is the gray.
        var gray = png.ToGray();
        var grayJpeg = PixelImage.Load(dir.Write("gray.jpg", Jpeg(gray.Pixels.ToArray(), width, height, ColorComponents.Grey, 95)));
        Assert.True(Difference(gray.Pixels, grayJpeg.ToGray().Pixels).Mean < 3);
    }

    [Fact]
    public void AOneComponentJpegIsGray()
    {
        var png = PixelImage.Load(Fixture("gradient-gray.png"));
        var jpeg = PixelImage.Load(Fixture("gradient-gray.jpg"));
        Assert.Equal((1, 1), (png.Channels, jpeg.Channels));
        Assert.True(Difference(png.Pixels, jpeg.Pixels).Mean < 3);
    }

    [Fact]
    public void AProgressiveJpegGivesNearlyThePixelsOfItsPng()
    {
        var jpegBytes = File.ReadAllBytes(Fixture("gradient-progressive.jpg"));
        Assert.True(jpegBytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC2]) > 0, "the fixture is progressive (SOF2)");
        var png = PixelImage.Load(Fixture("gradient.png"));
        var jpeg = PixelImage.Load(Fixture("gradient-progressive.jpg"));
        Assert.Equal((3, png.Width, png.Height), (jpeg.Channels, jpeg.Width, jpeg.Height));
        var (mean, max) = Difference(png.Pixels, jpeg.Pixels);
        Assert.True(mean < 4 && max < 64, $"progressive JPEG differs from PNG by {mean:F2} on average, {max} at most");
    }

    [Theory]
    [InlineData("blocks.bmp")]
    [InlineData("blocks.gif")]
    [InlineData("blocks.tga")]
    public void LosslessFormatsGiveExactlyThePixelsOfThePng(string file)
    {
        var png = PixelImage.Load(Fixture("blocks.png"));
        var other = PixelImage.Load(Fixture(file));
        Assert.Equal((3, png.Width, png.Height), (other.Channels, other.Width, other.Height));
        Assert.True(png.Pixels.SequenceEqual(other.Pixels), $"{file} differs from blocks.png");
    }

    /// <summary>SOI and a baseline frame header of <paramref name="width"/> × <paramref name="height"/>, 3 components,
    /// then EOI: a few dozen bytes that claim a whole image.</summary>
    private static byte[] JpegHeaderOnly(int width, int height) =>
    [
        0xFF, 0xD8,
        0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03,
        0x01, 0x11, 0x00, 0x02, 0x11, 0x00, 0x03, 0x11, 0x00,
        0xFF, 0xD9,
    ];

    [Fact]
    public void AJpegBombIsRefusedFromItsHeaderWithBoundedAllocation()
    {
        using var dir = new TempDir();
        var path = dir.Write("bomb.jpg", JpegHeaderOnly(10_000, 10_000)); // 100 megapixels in 23 bytes
        PixelImage.Load(Fixture("gradient.png")); // warm up the readers, so only this file's reading is counted
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidFileException>(() => PixelImage.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(path, e.FilePath);
        Assert.Equal("width × height", e.Field);
        Assert.Contains("10000x10000", e.Message);
        Assert.True(allocated < 1 << 20, $"refusing the bomb allocated {allocated} bytes");
        // The limit is the one ReadLimits sets: a lower one refuses a small image the same way.
        var small = dir.Write("small.jpg", File.ReadAllBytes(Fixture("gradient-progressive.jpg")));
        var limited = Assert.Throws<InvalidFileException>(() => PixelImage.Load(small, limits: new ReadLimits { MaxImagePixels = 48 * 40 - 1 }));
        Assert.Equal("width × height", limited.Field);
        Assert.Equal(48, PixelImage.Load(small, limits: new ReadLimits { MaxImagePixels = 48 * 40 }).Width);
    }

    [Fact]
    public void BadImagesAreInvalidFileExceptionsNamingTheFile()
    {
        using var dir = new TempDir();
        var jpeg = Jpeg(SmoothRgb(32, 32), 32, 32, ColorComponents.RedGreenBlue, 90);
        foreach (var (name, bytes) in new[]
                 {
                     ("truncated.jpg", jpeg[..40]),
                     ("notanimage.jpg", "just some text, not an image"u8.ToArray()),
                     ("empty-frame.jpg", JpegHeaderOnly(16, 16)),
                     ("zero.jpg", JpegHeaderOnly(0, 16)),
                     ("short.bmp", "BM"u8.ToArray().Concat(new byte[20]).ToArray()),
                 })
        {
            var path = dir.Write(name, bytes);
            var e = Assert.Throws<InvalidFileException>(() => PixelImage.Load(path));
            Assert.Equal(path, e.FilePath);
            Assert.False(string.IsNullOrEmpty(e.Field));
        }
    }

    [Fact]
    public void ImageFoldersListEveryRegisteredFormat()
    {
        foreach (var name in new[] { "a.png", "b.JPG", "c.jpeg", "d.bmp", "e.gif", "f.tga" })
            Assert.True(ImageDecoders.IsImageFile(name), name);
        Assert.False(ImageDecoders.IsImageFile("notes.txt"));
        Assert.Contains(ImageDecoders.Registered, d => d is StbImageDecoder);
        Assert.Same(PngImageDecoder.Instance, ImageDecoders.Registered[0]);
    }
}
