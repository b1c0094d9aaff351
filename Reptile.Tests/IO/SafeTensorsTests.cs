using System.Buffers.Binary;
using System.Text;
using Reptile.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.IO;

public class SafeTensorsTests
{
    private static void AssertNoTemp(TempDir dir) =>
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));

    [Fact]
    public void RoundTrip()
    {
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        var rng = new Rng(3);
        var tensors = new[]
        {
            new SafeTensor("conv.weight", [4, 1, 3, 3], Enumerable.Range(0, 36).Select(_ => rng.NextFloat() - 0.5f).ToArray()),
            new SafeTensor("conv.bias", [4], [0f, -0f, float.Epsilon, float.MaxValue]),
            new SafeTensor("scalar", [], [42f]),
            new SafeTensor("empty", [0, 3], []),
        };
        SafeTensors.Write(path, tensors, null);
        var (read, meta) = SafeTensors.Read(path);
        Assert.Empty(meta);
        Assert.Equal(tensors.Length, read.Count);
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(tensors[i].Name, read[i].Name);
            Assert.Equal(tensors[i].Shape, read[i].Shape);
            Assert.Equal(tensors[i].Data, read[i].Data);
        }
        Assert.Equal(0, new FileInfo(path).Length % 4);
        AssertNoTemp(dir);
    }

    [Fact]
    public void MetadataRoundTrip()
    {
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        var meta = new Dictionary<string, string> { ["iteration"] = "1234", ["rng"] = "[1,2,3,4]", ["note"] = "ünïcode \"quoted\"\n" };
        SafeTensors.Write(path, [new SafeTensor("w", [2], [1, 2])], meta);
        var (_, read) = SafeTensors.Read(path);
        Assert.Equal(meta.OrderBy(p => p.Key), read.OrderBy(p => p.Key));
    }

    [Fact]
    public void ExactByteLayout()
    {
        using var dir = new TempDir();
        var path = dir.File("tiny.safetensors");
        SafeTensors.Write(path, [new SafeTensor("a", [2], [1f, -2f]), new SafeTensor("b", [1, 1], [0.5f])], null);
        var bytes = File.ReadAllBytes(path);
        const string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}";
        int padded = (json.Length + 7) / 8 * 8;
        Assert.Equal((ulong)padded, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(json + new string(' ', padded - json.Length), Encoding.UTF8.GetString(bytes, 8, padded));
        var data = bytes.AsSpan(8 + padded);
        Assert.Equal(
            new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3F },
            data.ToArray());
    }

    [Fact]
    public void ReadsF64AsFloat()
    {
        using var dir = new TempDir();
        var path = dir.Write("f64.safetensors", SafeTensorsTestFiles.Build("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", NpyTestFiles.Doubles(1.5, -3)));
        var (t, _) = SafeTensors.Read(path);
        Assert.Equal([1.5f, -3f], t[0].Data);
    }

    [Fact]
    public void OtherDtypeIsClearError()
    {
        using var dir = new TempDir();
        var path = dir.Write("i64.safetensors", SafeTensorsTestFiles.Build("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]));
        var e = Throws.Naming<InvalidFileException>(path, () => SafeTensors.Read(path));
        Assert.Contains("I64", e.Message);
    }

    [Theory]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", "JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", "outside")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,0]}}", "outside")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12 bytes")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", "overlap")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "shape")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", "data_offsets")]
    [InlineData("{\"__metadata__\":{\"k\":3}}", "metadata")]
    public void CorruptHeadersAreInvalidDataNamingFile(string header, string expected)
    {
        using var dir = new TempDir();
        var path = dir.Write("bad.safetensors", SafeTensorsTestFiles.Build(header, new byte[8]));
        var e = Throws.Naming<InvalidFileException>(path, () => SafeTensors.Read(path));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void HeaderLengthBeyondFile()
    {
        using var dir = new TempDir();
        var path = dir.File("long.safetensors");
        SafeTensors.Write(path, [new SafeTensor("w", [2], [1, 2])], null);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length);
        File.WriteAllBytes(path, bytes);
        var e = Throws.Naming<InvalidFileException>(path, () => SafeTensors.Read(path));
        Assert.Contains("past the end", e.Message);
    }

    [Fact]
    public void TruncatedFiles()
    {
        using var dir = new TempDir();
        var good = dir.File("good.safetensors");
        SafeTensors.Write(good, [new SafeTensor("w", [3], [1, 2, 3])], null);
        var bytes = File.ReadAllBytes(good);
        foreach (int len in new[] { 0, 5, 8, 20, bytes.Length - 1 })
        {
            var path = dir.Write($"cut{len}.safetensors", bytes[..len]);
            Throws.Naming<InvalidFileException>(path, () => SafeTensors.Read(path));
        }
    }

    [Fact]
    public void MissingFile()
    {
        Throws.Naming<FileNotFoundException>("/nonexistent/x.safetensors", () => SafeTensors.Read("/nonexistent/x.safetensors"));
    }

    [Fact]
    public void FailedWriteMidFileLeavesExistingFileAndNoTemp()
    {
        using var dir = new TempDir();
        var path = dir.File("ckpt.safetensors");
        SafeTensors.Write(path, [new SafeTensor("w", [2], [1, 2])], new Dictionary<string, string> { ["v"] = "1" });
        var before = File.ReadAllBytes(path);
        // The first tensor is written before the second's size mismatch is found.
        var bad = new[] { new SafeTensor("a", [1000], new float[1000]), new SafeTensor("b", [2, 2], [1, 2, 3]) };
        Throws.Naming<ArgumentException>("'b'", () => SafeTensors.Write(path, bad, null));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void WriteIntoMissingDirectoryFailsWithoutLeftovers()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "no", "such", "dir", "x.safetensors");
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensors.Write(path, [new SafeTensor("w", [1], [1])], null));
        AssertNoTemp(dir);
    }

    [Fact]
    public void OverwriteReplacesAtomically()
    {
        using var dir = new TempDir();
        var path = dir.File("x.safetensors");
        SafeTensors.Write(path, [new SafeTensor("w", [1], [1])], null);
        SafeTensors.Write(path, [new SafeTensor("w", [2], [5, 6])], null);
        Assert.Equal([5f, 6f], SafeTensors.Read(path).Tensors[0].Data);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void InvalidArgumentsRejectedBeforeWriting()
    {
        using var dir = new TempDir();
        var path = dir.File("x.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new SafeTensor("w", [1], [1]), new SafeTensor("w", [1], [1])], null));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new SafeTensor("__metadata__", [1], [1])], null));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
