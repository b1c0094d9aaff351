using System.IO.Compression;
using Reptile.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.IO;

public class NpzTests
{
    [SharedDataFact]
    public void ReadsSineReference()
    {
        using var npz = NpzArchive.Open(SharedData.Reference("sine_mlp_reference.npz"));
        Assert.Contains("p.0.weight", npz.Names);
        Assert.True(npz.Contains("x"));
        Assert.True(npz.Contains("x.npy"));
        Assert.Equal([64, 1], npz.Get("p.0.weight").Shape);
        Assert.Equal([64, 64], npz.Get("p.2.weight.npy").Shape);
        Assert.Equal([1, 64], npz.Get("p.4.weight").Shape);
        Assert.Equal([1], npz.Get("p.4.bias").Shape);
        Assert.Equal([10, 1], npz.Get("x").Shape);
        Assert.Equal([10, 1], npz.Get("logits").Shape);
        for (int s = 0; s < 5; s++) Assert.True(npz.Contains($"sx{s}"));
        var loss = npz.Get("loss");
        Assert.Equal("<f8", loss.DType);
        Assert.Equal(1, loss.Length);
        Assert.True(loss.ToDoubleArray()[0] > 0);
    }

    [SharedDataFact]
    public void ReadsConvReference()
    {
        using var npz = NpzArchive.Open(SharedData.Reference("omniglot_conv_reference.npz"));
        Assert.Equal([64, 1, 3, 3], npz.Get("p.0.weight").Shape);
        Assert.Equal([5, 256], npz.Get("p.13.weight").Shape);
        Assert.Equal([10, 1, 28, 28], npz.Get("x").Shape);
        Assert.Equal([10], npz.Get("y").Shape);
        Assert.Equal([10, 5], npz.Get("logits").Shape);
        Assert.All(npz.Get("x").ToDoubleArray(), v => Assert.True(v == 0 || v == 1));
    }

    [SharedDataFact]
    public void StreamsOmniglotHeader()
    {
        using var npz = NpzArchive.Open(SharedData.Omniglot("images_evaluation.npz"));
        Assert.Equal(["images", "labels"], npz.Names.OrderBy(n => n, StringComparer.Ordinal));
        var (header, data) = npz.OpenData("images");
        using (data)
        {
            Assert.Equal("|b1", header.DType);
            Assert.Equal([659, 20, 105, 105], header.Shape);
            var first = new byte[105 * 105];
            npz.ReadData("images", header, data, first);
            Assert.True(first[0] != 0); // white corner
        }
        var labels = npz.Get("labels");
        Assert.Equal([659, 20], labels.Shape);
        var l = labels.ToInt64Array();
        Assert.Equal(0, l[0]);
        Assert.Equal(658, l[^1]);
    }

    [SharedDataFact]
    public void MissingNameIsKeyNotFoundNamingFileAndArray()
    {
        var path = SharedData.Reference("sine_mlp_reference.npz");
        using var npz = NpzArchive.Open(path);
        var e = Throws.Naming<KeyNotFoundException>(path, () => npz.Get("nope"));
        Assert.Contains("nope", e.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        Throws.Naming<FileNotFoundException>("/nonexistent/dir/a.npz", () => NpzArchive.Open("/nonexistent/dir/a.npz"));
    }

    [Fact]
    public void NotAZipIsInvalidData()
    {
        using var dir = new TempDir();
        var path = dir.Write("bad.npz", NpyTestFiles.Build("<f8", [1], new byte[8]));
        Throws.Naming<InvalidFileException>(path, () => NpzArchive.Open(path));
    }

    [SharedDataFact]
    public void TruncatedCopyIsInvalidData()
    {
        using var dir = new TempDir();
        var path = dir.File("cut.npz");
        var bytes = File.ReadAllBytes(SharedData.Reference("sine_mlp_reference.npz"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Throws.Naming<InvalidFileException>(path, () => NpzArchive.Open(path));
    }

    [Fact]
    public void CorruptDeflatedEntryIsInvalidDataNamingArray()
    {
        using var dir = new TempDir();
        var path = dir.File("corrupt.npz");
        var payload = NpyTestFiles.Build("<f8", [512], NpyTestFiles.Doubles(Enumerable.Range(0, 512).Select(i => Math.Sin(i)).ToArray()));
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("w.npy", CompressionLevel.Optimal).Open();
            s.Write(payload);
        }
        // Scramble the middle of the compressed stream, leaving the zip directory intact.
        var bytes = File.ReadAllBytes(path);
        for (int i = 60; i < 400; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        using var npz = NpzArchive.Open(path);
        var e = Assert.ThrowsAny<Exception>(() => npz.Get("w"));
        Assert.IsType<InvalidFileException>(e);
        Assert.Contains(path, e.Message);
        Assert.Contains("'w.npy'", e.Message);
    }

    [Fact]
    public void WrittenNpzRoundTrips()
    {
        using var dir = new TempDir();
        var path = dir.File("ok.npz");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("a.npy").Open()) s.Write(NpyTestFiles.Build("<f4", [2], NpyTestFiles.Singles(1, 2)));
            using (var s = zip.CreateEntry("b.npy", CompressionLevel.NoCompression).Open()) s.Write(NpyTestFiles.Build("|u1", [1], [9]));
        }
        using var npz = NpzArchive.Open(path);
        Assert.Equal(["a", "b"], npz.Names);
        Assert.Equal([1f, 2f], npz.Get("a").ToFloatArray());
        Assert.Equal([9f], npz.Get("b.npy").ToFloatArray());
    }
}
