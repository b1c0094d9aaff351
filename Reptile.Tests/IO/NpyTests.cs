using System.IO.Compression;
using Reptile.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.IO;

public class NpyTests
{
    private static NpyArray Parse(byte[] bytes, string name = "test.npy") => NpyReader.Read(new MemoryStream(bytes), name);

    [Fact]
    public void ReadsF8()
    {
        var a = Parse(NpyTestFiles.Build("<f8", [2, 3], NpyTestFiles.Doubles(1, 2, 3, 4.5, -5, 6e10)));
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal("<f8", a.DType);
        Assert.Equal(6, a.Length);
        Assert.Equal([1, 2, 3, 4.5, -5, 6e10], a.ToDoubleArray());
        Assert.Equal([1f, 2, 3, 4.5f, -5, 6e10f], a.ToFloatArray());
    }

    [Fact]
    public void ReadsF4()
    {
        var a = Parse(NpyTestFiles.Build("<f4", [3], NpyTestFiles.Singles(0.25f, -1f, 3.5f)));
        Assert.Equal([3], a.Shape);
        Assert.Equal([0.25f, -1f, 3.5f], a.ToFloatArray());
        Assert.Equal([0.25, -1, 3.5], a.ToDoubleArray());
    }

    [Fact]
    public void ReadsI4AndI8()
    {
        var a = Parse(NpyTestFiles.Build("<i4", [2, 2], NpyTestFiles.Int32s(1, -2, int.MaxValue, 0)));
        Assert.Equal([1L, -2, int.MaxValue, 0], a.ToInt64Array());
        Assert.Equal([1f, -2f, int.MaxValue, 0f], a.ToFloatArray());
        var b = Parse(NpyTestFiles.Build("<i8", [3], NpyTestFiles.Int64s(long.MinValue, 7, -9)));
        Assert.Equal([long.MinValue, 7, -9], b.ToInt64Array());
        Assert.Equal([(float)long.MinValue, 7f, -9f], b.ToFloatArray());
    }

    [Fact]
    public void ReadsB1AndU1()
    {
        var a = Parse(NpyTestFiles.Build("|b1", [2, 2], [1, 0, 0, 1]));
        Assert.Equal([true, false, false, true], a.ToBoolArray());
        Assert.Equal([1f, 0, 0, 1], a.ToFloatArray());
        var b = Parse(NpyTestFiles.Build("|u1", [4], [0, 17, 200, 255]));
        Assert.Equal([0f, 17, 200, 255], b.ToFloatArray());
        Assert.Equal([0L, 17, 200, 255], b.ToInt64Array());
    }

    [Fact]
    public void ReadsScalarAndEmptyShapes()
    {
        var s = Parse(NpyTestFiles.Build("<f8", [], NpyTestFiles.Doubles(3.25)));
        Assert.Empty(s.Shape);
        Assert.Equal([3.25], s.ToDoubleArray());
        var e = Parse(NpyTestFiles.Build("<f4", [0, 5], []));
        Assert.Equal(0, e.Length);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsVersions2And3(int major)
    {
        var a = Parse(NpyTestFiles.Build("<f4", [2], NpyTestFiles.Singles(1, 2), major));
        Assert.Equal([1f, 2f], a.ToFloatArray());
    }

    [Fact]
    public void ParsesDoubleQuotesAndNoTrailingComma()
    {
        var bytes = NpyTestFiles.Build("<i4", [1], NpyTestFiles.Int32s(5));
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        text = text.Replace("'", "\"").Replace("(1,), }", "(1,)}  ");
        var a = Parse(System.Text.Encoding.Latin1.GetBytes(text));
        Assert.Equal([5L], a.ToInt64Array());
    }

    [Fact]
    public void FloatsRefusedAsInt64()
    {
        var a = Parse(NpyTestFiles.Build("<f4", [1], NpyTestFiles.Singles(1.5f)));
        Assert.Throws<NotSupportedException>(() => a.ToInt64Array());
    }

    [Fact]
    public void BigEndianIsAClearError()
    {
        var e = Assert.Throws<InvalidFileException>(() => Parse(NpyTestFiles.Build(">f8", [1], new byte[8]), "be.npy"));
        Assert.Contains("be.npy", e.Message);
        Assert.Contains("big-endian", e.Message);
    }

    [Fact]
    public void FortranOrderIsAClearError()
    {
        var e = Assert.Throws<InvalidFileException>(() => Parse(NpyTestFiles.Build("<f8", [2, 2], new byte[32], fortran: true), "f.npy"));
        Assert.Contains("f.npy", e.Message);
        Assert.Contains("Fortran", e.Message);
    }

    [Fact]
    public void UnsupportedDtypeIsAClearError()
    {
        var e = Assert.Throws<InvalidFileException>(() => Parse(NpyTestFiles.Build("<c16", [1], new byte[16]), "c.npy"));
        Assert.Contains("c.npy", e.Message);
        Assert.Contains("<c16", e.Message);
    }

    [Fact]
    public void BadMagicIsAClearError()
    {
        var bytes = NpyTestFiles.Build("<f8", [1], new byte[8]);
        bytes[1] = (byte)'X';
        var e = Assert.Throws<InvalidFileException>(() => Parse(bytes, "magic.npy"));
        Assert.Contains("magic.npy", e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void UnparsableHeaderIsAClearError()
    {
        var bytes = NpyTestFiles.Build("<f8", [1], new byte[8]);
        int i = Array.IndexOf(bytes, (byte)'{');
        bytes[i] = (byte)'[';
        var e = Assert.Throws<InvalidFileException>(() => Parse(bytes, "hdr.npy"));
        Assert.Contains("hdr.npy", e.Message);
        Assert.Contains("header", e.Message);
    }

    [Fact]
    public void DataShorterThanShapeIsAClearError()
    {
        var bytes = NpyTestFiles.Build("<f8", [4], NpyTestFiles.Doubles(1, 2, 3));
        var e = Assert.Throws<InvalidFileException>(() => Parse(bytes, "short.npy"));
        Assert.Contains("short.npy", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsAClearError()
    {
        var bytes = NpyTestFiles.Build("<f8", [1], new byte[8])[..20];
        var e = Assert.Throws<InvalidFileException>(() => Parse(bytes, "cut.npy"));
        Assert.Contains("cut.npy", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void ReadFileRoundTripAndMissingFile()
    {
        using var dir = new TempDir();
        var path = dir.File("a.npy");
        File.WriteAllBytes(path, NpyTestFiles.Build("<f4", [2], NpyTestFiles.Singles(7, 8)));
        Assert.Equal([7f, 8f], NpyReader.ReadFile(path).ToFloatArray());
        var missing = dir.File("missing.npy");
        var e = Assert.Throws<FileNotFoundException>(() => NpyReader.ReadFile(missing));
        Assert.Contains(missing, e.Message);
    }
}

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
        var e = Assert.Throws<KeyNotFoundException>(() => npz.Get("nope"));
        Assert.Contains(path, e.Message);
        Assert.Contains("nope", e.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        var e = Assert.Throws<FileNotFoundException>(() => NpzArchive.Open("/nonexistent/dir/a.npz"));
        Assert.Contains("/nonexistent/dir/a.npz", e.Message);
    }

    [Fact]
    public void NotAZipIsInvalidData()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.npz");
        File.WriteAllBytes(path, NpyTestFiles.Build("<f8", [1], new byte[8]));
        var e = Assert.Throws<InvalidFileException>(() => NpzArchive.Open(path));
        Assert.Contains(path, e.Message);
    }

    [SharedDataFact]
    public void TruncatedCopyIsInvalidData()
    {
        using var dir = new TempDir();
        var path = dir.File("cut.npz");
        var bytes = File.ReadAllBytes(SharedData.Reference("sine_mlp_reference.npz"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidFileException>(() => NpzArchive.Open(path));
        Assert.Contains(path, e.Message);
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
