using Reptile.IO;
using Xunit.Abstractions;

namespace Reptile.Tests.IO;

/// <summary>The safetensors reader on truncated, randomly edited and crafted files.</summary>
public class SafeTensorsMutationTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private byte[] ValidFile()
    {
        var path = dir.File("valid.safetensors");
        SafeTensors.Write(path, [new SafeTensor("w", [2, 2], [1, 2, 3, 4]), new SafeTensor("b", [1], [5])], new Dictionary<string, string> { ["k"] = "v" });
        return File.ReadAllBytes(path);
    }

    private string WriteRaw(string header, byte[] data) => dir.Write("crafted.safetensors", SafeTensorsTestFiles.Build(header, data));

    [Fact]
    public void MutatedFilesParseOrAreRefusedNamingTheFile()
    {
        var path = dir.File("mutant.safetensors");
        FileMutations.Check("SafeTensors", output, ValidFile(), FileMutations.SafeTensorsCases, seed: 4, path,
            bytes => { File.WriteAllBytes(path, bytes); SafeTensors.Read(path); });
    }

    [Fact]
    public void NameThatIsNotUtf8IsRefused()
    {
        var path = WriteRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        var bytes = File.ReadAllBytes(path);
        bytes[10] = 0xC3; // the name "w" becomes a lone UTF-8 lead byte
        File.WriteAllBytes(path, bytes);
        FileMutations.Refused(path, "header", () => SafeTensors.Read(path));
    }

    [Fact]
    public void EscapedLoneSurrogateInANameIsRefused()
    {
        var path = WriteRaw("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        FileMutations.Refused(path, "header", () => SafeTensors.Read(path));
    }

    [Fact]
    public void DuplicateTensorNamesAreRefusedNamingFileAndTensor()
    {
        var path = WriteRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        var e = FileMutations.Refused(path, "tensor 'w'", () => SafeTensors.Read(path));
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void TensorOverTheByteLimitIsRefused()
    {
        var path = WriteRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]);
        FileMutations.Refused(path, "tensor 'w' shape", () => SafeTensors.Read(path, new ReadLimits { MaxTensorBytes = 8 }));
        Assert.Single(SafeTensors.Read(path).Tensors);
    }
}
