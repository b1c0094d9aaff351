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
        var e = Throws.Naming<InvalidFileException>("be.npy", () => Parse(NpyTestFiles.Build(">f8", [1], new byte[8]), "be.npy"));
        Assert.Contains("big-endian", e.Message);
    }

    [Fact]
    public void FortranOrderIsAClearError()
    {
        var e = Throws.Naming<InvalidFileException>("f.npy", () => Parse(NpyTestFiles.Build("<f8", [2, 2], new byte[32], fortran: true), "f.npy"));
        Assert.Contains("Fortran", e.Message);
    }

    [Fact]
    public void UnsupportedDtypeIsAClearError()
    {
        var e = Throws.Naming<InvalidFileException>("c.npy", () => Parse(NpyTestFiles.Build("<c16", [1], new byte[16]), "c.npy"));
        Assert.Contains("<c16", e.Message);
    }

    [Fact]
    public void BadMagicIsAClearError()
    {
        var bytes = NpyTestFiles.Build("<f8", [1], new byte[8]);
        bytes[1] = (byte)'X';
        var e = Throws.Naming<InvalidFileException>("magic.npy", () => Parse(bytes, "magic.npy"));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void UnparsableHeaderIsAClearError()
    {
        var bytes = NpyTestFiles.Build("<f8", [1], new byte[8]);
        int i = Array.IndexOf(bytes, (byte)'{');
        bytes[i] = (byte)'[';
        var e = Throws.Naming<InvalidFileException>("hdr.npy", () => Parse(bytes, "hdr.npy"));
        Assert.Contains("header", e.Message);
    }

    [Fact]
    public void DataShorterThanShapeIsAClearError()
    {
        var bytes = NpyTestFiles.Build("<f8", [4], NpyTestFiles.Doubles(1, 2, 3));
        var e = Throws.Naming<InvalidFileException>("short.npy", () => Parse(bytes, "short.npy"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsAClearError()
    {
        var bytes = NpyTestFiles.Build("<f8", [1], new byte[8])[..20];
        var e = Throws.Naming<InvalidFileException>("cut.npy", () => Parse(bytes, "cut.npy"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void ReadFileRoundTripAndMissingFile()
    {
        using var dir = new TempDir();
        var path = dir.Write("a.npy", NpyTestFiles.Build("<f4", [2], NpyTestFiles.Singles(7, 8)));
        Assert.Equal([7f, 8f], NpyReader.ReadFile(path).ToFloatArray());
        var missing = dir.File("missing.npy");
        Throws.Naming<FileNotFoundException>(missing, () => NpyReader.ReadFile(missing));
    }
}
