using System.IO.Compression;
using Reptile.Data;
using Reptile.IO;
using Reptile.Tests.IO;
using Xunit.Abstractions;

namespace Reptile.Tests.Data;

/// <summary>Omniglot loading on corrupt zips of PNGs and on npz archives with crafted 'images' shapes.</summary>
public class OmniglotDatasetMutationTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static byte[] Png(int seed)
    {
        var samples = new int[4, 4];
        for (int i = 0; i < 16; i++) samples[i / 4, i % 4] = (i + seed) % 2;
        return PngTestEncoder.Encode(4, 4, 0, 1, PngTestEncoder.Pack(samples, 1));
    }

    private static byte[] ValidZip() => TestZips.Build(
        ("images_background/Alpha/character01/0001_01.png", Png(0), CompressionLevel.Optimal),
        ("images_background/Alpha/character01/0001_02.png", Png(1), CompressionLevel.NoCompression));

    private string WriteZip(byte[] bytes)
    {
        var path = dir.Write("images_background.zip", bytes);
        return path;
    }

    /// <summary>Writes both npz files: background with an 'images' array of <paramref name="shape"/> holding <paramref name="dataBytes"/>
    /// bytes, evaluation a valid 28×28 one.</summary>
    private string WriteNpzPair(int[] shape, int dataBytes)
    {
        var background = dir.Write(OmniglotDataset.BackgroundNpz, TestZips.Build(("images.npy", NpyTestFiles.Build("|b1", shape, new byte[dataBytes]), CompressionLevel.Optimal)));
        dir.Write(OmniglotDataset.EvaluationNpz, TestZips.Build(("images.npy", NpyTestFiles.Build("|b1", [1, 1, 28, 28], new byte[28 * 28]), CompressionLevel.Optimal)));
        return background;
    }

    [Fact]
    public void ValidZipLoads() => Assert.Equal(2, WriteZipAndLoad(ValidZip()).Classes[0].ImageCount);

    private FewShotDataset WriteZipAndLoad(byte[] zip)
    {
        WriteZip(zip);
        return OmniglotDataset.Load(dir.Path);
    }

    [Fact]
    public void MutatedZipsLoadOrAreRefusedNamingTheZip()
    {
        var path = dir.File("images_background.zip");
        FileMutations.Check("OmniglotDataset (zip)", output, ValidZip(), FileMutations.OmniglotZipCases, seed: 6, path,
            bytes => { File.WriteAllBytes(path, bytes); OmniglotDataset.Load(dir.Path); });
    }

    [Fact]
    public void MutatedNpzLoadsOrIsRefusedNamingTheNpz()
    {
        var background = WriteNpzPair([2, 2, 28, 28], 2 * 2 * 28 * 28);
        var valid = File.ReadAllBytes(background);
        Assert.Equal(3, OmniglotDataset.Load(dir.Path).Classes.Count); // 2 background characters, 1 evaluation
        FileMutations.Check("OmniglotDataset (npz)", output, valid, FileMutations.OmniglotNpzCases, seed: 7, background,
            bytes => { File.WriteAllBytes(background, bytes); OmniglotDataset.Load(dir.Path); });
    }

    [Theory]
    [InlineData(new[] { int.MaxValue, 1, 1, 1 }, 1000)]
    [InlineData(new[] { 1, 1, 46341, 46341 }, 1000)]
    [InlineData(new[] { 1, 1, 1, int.MaxValue }, 1000)]
    [InlineData(new[] { 3, 20, 105, 0 }, 0)]
    [InlineData(new[] { 3, 20, 0, 105 }, 0)]
    [InlineData(new[] { 1, 100_000, 1, 1 }, 100_000)]
    public void CraftedImageShapesAreRefusedNamingFileEntryAndShape(int[] shape, int dataBytes)
    {
        var background = WriteNpzPair(shape, dataBytes);
        FileMutations.Refused(background, "shape", () => OmniglotDataset.Load(dir.Path), entry: "images.npy");
    }

    [Fact]
    public void ImagesOverThePixelLimitAreRefused()
    {
        var background = WriteNpzPair([1, 1, 30, 30], 900);
        var e = FileMutations.Refused(background, "shape", () => OmniglotDataset.Load(dir.Path, limits: new ReadLimits { MaxImagePixels = 899 }), entry: "images.npy");
        Assert.Contains("MaxImagePixels", e.Message);
    }

    [Fact]
    public void PngEntryClaimingOneAndAHalfGibibytesIsRefusedBeforeInflating()
    {
        var path = WriteZip(TestZips.WithUncompressedSize(ValidZip(), 0x60000000));
        FileMutations.Refused(path, "uncompressed size", () => OmniglotDataset.Load(dir.Path), entry: "images_background/Alpha/character01/0001_01.png");
    }

    [Fact]
    public void PngEntryThatInflatesPastTheLimitIsRefusedBeforeInflating()
    {
        var bomb = new byte[8 << 20];
        Png(0).AsSpan(0, 8).CopyTo(bomb);
        var path = WriteZip(TestZips.Build(("images_background/Alpha/character01/0001_01.png", bomb, CompressionLevel.Optimal)));
        Assert.True(new FileInfo(path).Length < 64 << 10);
        FileMutations.Refused(path, "uncompressed size", () => OmniglotDataset.Load(dir.Path, limits: new ReadLimits { MaxInflatedEntryBytes = 1 << 20 }),
            entry: "images_background/Alpha/character01/0001_01.png");
    }

    [Fact]
    public void CorruptZipDirectoryIsRefusedNamingTheZip()
    {
        var path = WriteZip(TestZips.WithScrambledDirectory(ValidZip()));
        FileMutations.Refused(path, "zip central directory", () => OmniglotDataset.Load(dir.Path));
    }
}
