using System.Runtime.InteropServices;
using Reptile.Data;
using Reptile.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.IO;

/// <summary>Readers refuse FIFOs and devices by name without opening them (an open would block, a read never end),
/// and follow symbolic links to regular files.</summary>
public class UntrustedFileTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    private string Fifo(string path)
    {
        Assert.True(MkFifo(path, 0b110_100_100) == 0, $"mkfifo failed: errno {Marshal.GetLastPInvokeError()}");
        return path;
    }

    /// <summary>Runs <paramref name="read"/> with a deadline, so a reader that blocks on a FIFO fails instead of hanging the suite.</summary>
    private static InvalidFileException RefusedWithin10Seconds(Action read)
    {
        var task = Task.Run(() => Assert.Throws<InvalidFileException>(read));
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "the reader blocked");
        return task.Result;
    }

    [Fact]
    public void AFifoNamedAsAJpegIsRefusedUnopenedByTheImageDecoders()
    {
        Reptile.Images.ReptileImages.Register();
        var fifo = Fifo(System.IO.Path.Combine(dir.Path, "photo.jpg"));
        var e = RefusedWithin10Seconds(() => Reptile.Data.PixelImage.Load(fifo));
        Assert.Equal(fifo, e.FilePath);
        Assert.Equal("file type", e.Field);
    }

    private string ClassFolderWithOnePng()
    {
        var classDir = Path.Combine(dir.Path, "images", "a");
        Directory.CreateDirectory(classDir);
        File.WriteAllBytes(Path.Combine(classDir, "1.png"), PngTestEncoder.Encode(2, 2, 0, 8, PngTestEncoder.Pack(new int[2, 2], 8)));
        return classDir;
    }

    [UnixFact]
    public void FifoNamedAsAPngInAnImageFolderIsRefusedByName()
    {
        var classDir = ClassFolderWithOnePng();
        var fifo = Fifo(Path.Combine(classDir, "x.png"));
        var e = RefusedWithin10Seconds(() => ImageFolderDataset.Load(Path.Combine(dir.Path, "images"), 2, 2));
        Assert.Equal(fifo, e.FilePath);
        Assert.Equal("file type", e.Field);
        Assert.Contains("FIFO", e.Message);
    }

    [UnixFact]
    public void FifoNamedAsAnNpzIsRefusedByName()
    {
        var fifo = Fifo(dir.File(OmniglotDataset.BackgroundNpz));
        Fifo(dir.File(OmniglotDataset.EvaluationNpz));
        var e = RefusedWithin10Seconds(() => OmniglotDataset.Load(dir.Path));
        Assert.Equal(fifo, e.FilePath);
    }

    [UnixFact]
    public void FifoUnderADownloadsNameIsRefusedInsteadOfHashed()
    {
        var fifo = Fifo(dir.File("images_background.zip"));
        using var client = new HttpClient();
        var e = RefusedWithin10Seconds(() => OmniglotDownloader.DownloadFilesAsync(dir.Path, client,
            [("images_background.zip", new Uri("http://localhost.invalid/x.zip"), "00")]).GetAwaiter().GetResult());
        Assert.Equal(fifo, e.FilePath);
    }

    [UnixFact]
    public void SymlinkToDevZeroIsRefused()
    {
        var png = dir.File("zero.png");
        File.CreateSymbolicLink(png, "/dev/zero");
        var e = RefusedWithin10Seconds(() => PngDecoder.DecodeFile(png));
        Assert.Equal(png, e.FilePath);
        Assert.Contains("character device", e.Message);

        var weights = dir.File("zero.safetensors");
        File.CreateSymbolicLink(weights, "/dev/zero");
        RefusedWithin10Seconds(() => SafeTensors.Read(weights));
        var npy = dir.File("zero.npy");
        File.CreateSymbolicLink(npy, "/dev/zero");
        RefusedWithin10Seconds(() => NpyReader.ReadFile(npy));
    }

    [UnixFact]
    public void SymlinkToARegularFileIsFollowed()
    {
        var classDir = ClassFolderWithOnePng();
        File.CreateSymbolicLink(Path.Combine(classDir, "2.png"), Path.Combine(classDir, "1.png"));
        var dataset = ImageFolderDataset.Load(Path.Combine(dir.Path, "images"), 2, 2);
        Assert.Equal(2, dataset.Classes[0].ImageCount);
    }

    [Fact]
    public void DanglingSymlinkIsFileNotFoundNamingThePath()
    {
        var png = dir.File("gone.png");
        File.CreateSymbolicLink(png, dir.File("nothing-here.png"));
        Throws.Naming<FileNotFoundException>(png, () => PngDecoder.DecodeFile(png));
    }
}
