using Reptile.Data;
using Reptile.IO;
using Reptile.Meta;
using Reptile.Tests.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.Data;

/// <summary>Colour through the data path: PixelImage's channels, conversions and resizing, and datasets, tasks and
/// batches of [B, 3, H, W] in PyTorch's channel order.</summary>
public class ColourImageTests
{
    private static byte[] RandomBytes(Rng rng, int count)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++) bytes[i] = (byte)rng.NextInt(256);
        return bytes;
    }

    private static byte[] RgbPng(int width, int height, byte[] rgb) =>
        PngTestEncoder.Encode(width, height, 2, 8, Enumerable.Range(0, height).Select(r => rgb.AsSpan(r * width * 3, width * 3).ToArray()).ToArray());

    [Fact]
    public void AColourPngKeepsItsColourAndItsGrayIsTheDecodersLuminance() => Property.ForAll(rng =>
    {
        int width = 1 + rng.NextInt(12), height = 1 + rng.NextInt(12);
        var rgb = RandomBytes(rng, width * height * 3);
        using var dir = new TempDir();
        var path = dir.Write("colour.png", RgbPng(width, height, rgb));
        var image = PixelImage.Load(path);
        Assert.Equal(3, image.Channels);
        Assert.True(image.Pixels.SequenceEqual(rgb));
        // PIL's convert("L") as PngDecoder has always computed it for gray consumers.
        Assert.True(image.ToGray().Pixels.SequenceEqual(PngDecoder.DecodeFile(path).Gray));
        Assert.True(image.Gray.SequenceEqual(PngDecoder.DecodeFile(path).Gray));
        Assert.Equal(1, PixelImage.Load(path, channels: 1).Channels);
        var back = image.ToGray().ToRgb();
        for (int i = 0; i < width * height; i++)
            Assert.True(back.Pixels[3 * i] == image.Gray[i] && back.Pixels[3 * i + 1] == image.Gray[i] && back.Pixels[3 * i + 2] == image.Gray[i]);
    }, runs: 30);

    [Fact]
    public void EncodeWritesPlanarChannelsInPyTorchsOrder()
    {
        // 2×1 pixels: (10, 20, 30) and (40, 50, 60).
        var image = new PixelImage(2, 1, 3, [10, 20, 30, 40, 50, 60]);
        var x = new float[6];
        image.Encode(PixelEncoding.Gray, x);
        Assert.Equal(new[] { 10, 40, 20, 50, 30, 60 }.Select(v => v * (1f / 255f)), x);
        Assert.Throws<ArgumentException>(() => image.Encode(PixelEncoding.Gray, new float[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelImage(1, 1, 2, [1, 2]));
        Assert.Throws<ArgumentException>(() => new PixelImage(2, 2, 3, new byte[11]));
    }

    [Fact]
    public void AreaResizeAveragesTheCoveredPixels()
    {
        // Halving: each output is the rounded mean of a 2×2 block, per channel.
        var rng = new Rng(3);
        var rgb = RandomBytes(rng, 6 * 4 * 3);
        var half = new PixelImage(6, 4, 3, rgb).Resize(3, 2);
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                for (int k = 0; k < 3; k++)
                {
                    double mean = new[] { (2 * r, 2 * c), (2 * r, 2 * c + 1), (2 * r + 1, 2 * c), (2 * r + 1, 2 * c + 1) }
                        .Average(p => rgb[(p.Item1 * 6 + p.Item2) * 3 + k]);
                    Assert.Equal((byte)Math.Round(mean), half.Pixels[(r * 3 + c) * 3 + k]);
                }
        // Three pixels into two: each output covers one and a half of them.
        var row = new PixelImage(3, 1, 3, [0, 0, 0, 90, 90, 90, 180, 180, 180]).Resize(2, 1);
        Assert.Equal(new byte[] { 30, 30, 30, 150, 150, 150 }, row.Pixels.ToArray());
        // A flat image stays flat at any size, up or down.
        var flat = new PixelImage(7, 5, 3, Enumerable.Repeat((byte)77, 105).ToArray());
        Assert.All(flat.Resize(3, 11).Pixels.ToArray(), v => Assert.Equal(77, v));
        // Gray keeps nearest neighbour: the paper's preprocessing, bit for bit.
        var gray = new PixelImage(4, 1, [0, 100, 200, 255]);
        Assert.Equal(new byte[] { 100, 255 }, gray.Resize(2, 1).Pixels.ToArray());
        Assert.Equal(ResizeMethod.Nearest, PixelImage.DefaultResize(1));
        Assert.Equal(ResizeMethod.Area, PixelImage.DefaultResize(3));
    }

    [Fact]
    public void AColourImageFolderLoadsPlanarAndTasksBatchThreeChannels()
    {
        var root = ColourClasses.Write(classes: 3, images: 2, size: 12, seed: 9, jpeg: false);
        var colour = ImageFolderDataset.Load(root, 6, 6, channels: 3);
        Assert.Equal((3, 6, 6), (colour.Channels, colour.Height, colour.Width));
        var first = Directory.GetFiles(Directory.GetDirectories(root).Order().First()).Order().First();
        var expected = new float[3 * 36];
        PixelImage.Load(first).Resize(6, 6).Encode(PixelEncoding.Gray, expected);
        var copied = new float[3 * 36];
        colour.Classes[0].CopyImage(0, copied);
        Assert.Equal(expected, copied);

        // Gray from the same files: luminance then nearest neighbour, as before colour existed.
        var gray = ImageFolderDataset.Load(root, 6, 6);
        Assert.Equal(1, gray.Channels);
        var grayExpected = new float[36];
        new PixelImage(12, 12, PngDecoder.DecodeFile(first).Gray).Resize(6, 6).Encode(PixelEncoding.Gray, grayExpected);
        var grayCopied = new float[36];
        gray.Classes[0].CopyImage(0, grayCopied);
        Assert.Equal(grayExpected, grayCopied);

        var task = new FewShotTask();
        task.Sample(colour, ways: 3, shots: 2, new Rng(1), new int[3], new int[2]);
        Assert.Equal((3, 3 * 36), (task.Channels, task.Pixels));
        var batch = new FewShotBatch();
        batch.Fill(task, [0, 3, 5]);
        Assert.Equal(new[] { 3, 3, 6, 6 }, batch.Inputs.Shape.ToArray());
        Assert.Equal(task.Image(3).ToArray(), batch.Inputs.Values.Slice(3 * 36, 3 * 36).ToArray());

        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFolderDataset.Load(root, 6, 6, channels: 2));
        Assert.Throws<ArgumentException>(() => new FewShotDataset([colour.Classes[0], gray.Classes[0]]));
    }

    [Fact]
    public void RotatingAColourClassRotatesEachChannelsPlane()
    {
        var pixels = new byte[2 * 3 * 4]; // one 3-channel 2×2 image, planar, values 0..11
        for (int i = 0; i < 12; i++) pixels[i] = (byte)i;
        var cls = new InMemoryClass("c", 3, 2, 2, pixels[..12], 1f);
        var rotated = new RotatedClass(cls, 90);
        var y = new float[12];
        rotated.CopyImage(0, y);
        // 90° counter-clockwise of [[a, b], [c, d]] is [[b, d], [a, c]], plane by plane.
        Assert.Equal(new float[] { 1, 3, 0, 2, 5, 7, 4, 6, 9, 11, 8, 10 }, y);
        Assert.Equal(3, rotated.Channels);
    }
}
