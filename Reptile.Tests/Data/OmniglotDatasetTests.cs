using System.Diagnostics;
using System.IO.Compression;
using Reptile.Data;
using Reptile.IO;
using Reptile.Tests.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.Data;

public class OmniglotDatasetTests
{
    // Loaded once for the tests that need all of it.
    private static readonly Lazy<(FewShotDataset Data, TimeSpan Time, (int, int) LastProgress)> Full = new(() =>
    {
        var last = (0, 0);
        var sw = Stopwatch.StartNew();
        var data = OmniglotDataset.Load(SharedData.OmniglotDir, new SyncProgress<(int done, int total)>(p => last = p));
        return (data, sw.Elapsed, last);
    });


    private static float[] Image(FewShotClass c, int i)
    {
        var buffer = new float[c.Height * c.Width];
        c.CopyImage(i, buffer);
        return buffer;
    }

    [SharedDataFact]
    public void LoadsFullNpzFolder()
    {
        var (data, time, last) = Full.Value;
        Assert.Equal(1623, data.Classes.Count);
        Assert.All(data.Classes, c => Assert.Equal(20, c.ImageCount));
        Assert.Equal((28, 28), (data.Height, data.Width));
        Assert.Equal((32460, 32460), last);
        Assert.Equal("images_background/0001", data.Classes[0].Name);
        Assert.Equal("images_evaluation/0965", data.Classes[964].Name);
        Assert.True(time < TimeSpan.FromSeconds(20), $"loading took {time}");
    }

    [SharedDataFact]
    public void SpotChecksPixelsAgainstNpzAndResizeRule()
    {
        var data = Full.Value.Data;
        int[] src = [.. Enumerable.Range(0, 28).Select(i => (int)Math.Floor((i + 0.5) * 105 / 28))];
        Assert.Equal(1, src[0]);
        Assert.Equal(103, src[27]);
        foreach (var (file, offset) in new[] { ("images_background.npz", 0), ("images_evaluation.npz", 964) })
        {
            using var npz = NpzArchive.Open(SharedData.Omniglot(file));
            var images = npz.Get("images");
            int characters = images.Shape[0];
            foreach (var (c, d) in new[] { (0, 0), (1, 7), (characters / 2, 19), (characters - 1, 13) })
            {
                var ours = Image(data.Classes[offset + c], d);
                for (int r = 0; r < 28; r++)
                    for (int col = 0; col < 28; col++)
                    {
                        long index = (((long)c * 20 + d) * 105 + src[r]) * 105 + src[col];
                        float expected = images.Data[index] != 0 ? 1f : 0f;
                        Assert.Equal(expected, ours[r * 28 + col]);
                    }
                Assert.Contains(0f, ours); // some ink survives the resize
            }
        }
    }

    [SharedDataFact]
    public void ReferenceInputsAreOmniglotImagesUnderOurConvention()
    {
        // The PyTorch reference's x was made by supervised-reptile's pipeline: each must be one of our images, maybe rotated.
        var data = Full.Value.Data;
        using var npz = NpzArchive.Open(SharedData.Reference("omniglot_conv_reference.npz"));
        var x = npz.Get("x").ToFloatArray();
        var remaining = Enumerable.Range(0, 10).ToHashSet();
        var buffer = new float[784];
        foreach (var cls in data.Classes)
            foreach (var deg in new[] { 0, 90, 180, 270 })
            {
                var rc = new RotatedClass(cls, deg);
                for (int i = 0; i < rc.ImageCount && remaining.Count > 0; i++)
                {
                    rc.CopyImage(i, buffer);
                    foreach (var k in remaining.ToArray())
                        if (x.AsSpan(k * 784, 784).SequenceEqual(buffer)) remaining.Remove(k);
                }
            }
        Assert.Empty(remaining);
    }

    private static Dictionary<string, int> Small1IdsByFolder()
    {
        using var zip = ZipFile.OpenRead(SharedData.Omniglot("images_background_small1.zip"));
        return zip.Entries.Where(e => e.Name.EndsWith(".png"))
            .GroupBy(e => e.FullName[..e.FullName.LastIndexOf('/')])
            .ToDictionary(g => g.Key, g => int.Parse(g.First().Name[..4]));
    }

    private static void AssertMatchesNpz(FewShotDataset small)
    {
        var ids = Small1IdsByFolder();
        var full = Full.Value.Data;
        Assert.Equal(136, small.Classes.Count);
        int previous = 0;
        foreach (var c in small.Classes)
        {
            int id = ids[c.Name];
            Assert.True(id > previous, "classes are in character-id order");
            previous = id;
            var expected = full.Classes[id - 1];
            Assert.Equal(20, c.ImageCount);
            for (int i = 0; i < 20; i++) Assert.Equal(Image(expected, i), Image(c, i));
        }
    }

    [SharedDataFact]
    public void LoadsSmall1ZipFolderMatchingNpz()
    {
        using var dir = new TempDir();
        File.Copy(SharedData.Omniglot("images_background_small1.zip"), dir.File("images_background_small1.zip"));
        var small = OmniglotDataset.Load(dir.Path);
        Assert.Equal("images_background_small1/Balinese/character01", small.Classes[0].Name);
        AssertMatchesNpz(small);
    }

    [SharedDataFact]
    public void LoadsUnpackedPngTreeMatchingZip()
    {
        using var dir = new TempDir();
        ZipFile.ExtractToDirectory(SharedData.Omniglot("images_background_small1.zip"), dir.Path);
        var last = (0, 0);
        var small = OmniglotDataset.Load(dir.Path, new SyncProgress<(int done, int total)>(p => last = p));
        Assert.Equal((2720, 2720), last);
        Assert.Equal("images_background_small1/Balinese/character01", small.Classes[0].Name);
        AssertMatchesNpz(small);
    }

    [SharedDataFact]
    public void ZipAndItsUnpackedTreeAreNotCountedTwice()
    {
        using var dir = new TempDir();
        File.Copy(SharedData.Omniglot("images_background_small1.zip"), dir.File("images_background_small1.zip"));
        ZipFile.ExtractToDirectory(SharedData.Omniglot("images_background_small1.zip"), dir.Path);
        Assert.Equal(136, OmniglotDataset.Load(dir.Path).Classes.Count);
    }

    [Fact]
    public void MissingFolder()
    {
        Throws.Naming<DirectoryNotFoundException>("/no/such/omniglot", () => OmniglotDataset.Load("/no/such/omniglot"));
    }

    [Fact]
    public void EmptyFolder()
    {
        using var dir = new TempDir();
        var e = Throws.Naming<FileNotFoundException>(dir.Path, () => OmniglotDataset.Load(dir.Path));
        Assert.Contains("images_background", e.Message);
    }

    [Fact]
    public void OneNpzWithoutTheOther()
    {
        using var dir = new TempDir();
        dir.Write("images_background.npz", [1, 2, 3]);
        Throws.Naming<FileNotFoundException>("images_evaluation.npz", () => OmniglotDataset.Load(dir.Path));
    }

    [SharedDataFact]
    public void TruncatedZip()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(SharedData.Omniglot("images_background_small1.zip"));
        var path = dir.Write("images_background.zip", bytes[..(bytes.Length / 3)]);
        Throws.Naming<InvalidFileException>(path, () => OmniglotDataset.Load(dir.Path));
    }

    [SharedDataFact]
    public void CorruptNpz()
    {
        using var dir = new TempDir();
        File.Copy(SharedData.Omniglot("images_evaluation.npz"), dir.File("images_evaluation.npz"));
        var bytes = File.ReadAllBytes(SharedData.Omniglot("images_background.npz"));
        for (int i = 200_000; i < 200_400; i++) bytes[i] ^= 0xA5; // inside the compressed images
        var path = dir.Write("images_background.npz", bytes);
        Throws.Naming<InvalidFileException>(path, () => OmniglotDataset.Load(dir.Path));
    }

    [Fact]
    public void CorruptPngInTree()
    {
        using var dir = new TempDir();
        var charDir = Path.Combine(dir.Path, "images_background", "Alpha", "character01");
        Directory.CreateDirectory(charDir);
        var png = PngTestEncoder.Encode(4, 4, 0, 1, PngTestEncoder.Pack(new int[4, 4], 1));
        File.WriteAllBytes(Path.Combine(charDir, "0001_01.png"), png);
        png[^5] ^= 0xFF; // IEND CRC
        var bad = Path.Combine(charDir, "0001_02.png");
        File.WriteAllBytes(bad, png);
        Throws.Naming<InvalidFileException>(bad, () => OmniglotDataset.Load(dir.Path));
    }

    [Fact]
    public void CorruptPngInZip()
    {
        using var dir = new TempDir();
        var path = dir.File("images_background.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("images_background/Alpha/character01/0001_01.png").Open();
            s.Write([137, 80, 78, 71, 0, 0, 0, 0]);
        }
        var e = Throws.Naming<InvalidFileException>(path, () => OmniglotDataset.Load(dir.Path));
        Assert.Contains("0001_01.png", e.Message);
    }
}
