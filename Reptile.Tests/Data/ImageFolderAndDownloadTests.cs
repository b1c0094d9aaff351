using Reptile.Tests.Support;
using System.Net;
using System.Security.Cryptography;
using Reptile.Data;
using Reptile.IO;
using Reptile.Tests.IO;

namespace Reptile.Tests.Data;

public class ImageFolderDatasetTests
{
    private static void WriteGray(string path, int[,] samples) =>
        File.WriteAllBytes(path, PngTestEncoder.Encode(samples.GetLength(1), samples.GetLength(0), 0, 8, PngTestEncoder.Pack(samples, 8)));

    [Fact]
    public void LoadsSortedClassesResizedAndScaled()
    {
        using var dir = new TempDir();
        foreach (var cls in new[] { "b", "a" }) Directory.CreateDirectory(Path.Combine(dir.Path, cls));
        // 4×6 source with value = 10·row + col, resized to 2×3: rows floor((i+.5)·2) = 1, 3; cols floor((j+.5)·2) = 1, 3, 5.
        var src = new int[4, 6];
        for (int r = 0; r < 4; r++) for (int c = 0; c < 6; c++) src[r, c] = 10 * r + c;
        WriteGray(Path.Combine(dir.Path, "a", "2.png"), src);
        WriteGray(Path.Combine(dir.Path, "a", "1.png"), new int[2, 3] { { 255, 0, 51 }, { 0, 0, 0 } });
        // An RGB image in class b, already the target size.
        File.WriteAllBytes(Path.Combine(dir.Path, "b", "x.png"),
            PngTestEncoder.Encode(3, 2, 2, 8, PngTestEncoder.Pack(new int[2, 9] { { 255, 255, 255, 0, 0, 0, 255, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 0, 0 } }, 8)));
        File.WriteAllText(Path.Combine(dir.Path, "b", "notes.txt"), "ignored");

        var ds = ImageFolderDataset.Load(dir.Path, 2, 3);
        Assert.Equal(["a", "b"], ds.Classes.Select(c => c.Name));
        Assert.Equal(2, ds.Classes[0].ImageCount);
        Assert.Equal(1, ds.Classes[1].ImageCount);
        var img = new float[6];
        ds.Classes[0].CopyImage(0, img); // "1.png" sorts first
        Assert.Equal(new[] { 255, 0, 51, 0, 0, 0 }.Select(v => v * (1f / 255f)), img);
        ds.Classes[0].CopyImage(1, img);
        Assert.Equal(new[] { 11, 13, 15, 31, 33, 35 }.Select(v => v * (1f / 255f)), img);
        ds.Classes[1].CopyImage(0, img);
        Assert.Equal(1f, img[0]);
        Assert.Equal(76 * (1f / 255f), img[2]); // PIL's luma of pure red
    }

    [Fact]
    public void Errors()
    {
        var e1 = Assert.Throws<DirectoryNotFoundException>(() => ImageFolderDataset.Load("/no/such/images", 4, 4));
        Assert.Contains("/no/such/images", e1.Message);

        using var dir = new TempDir();
        var e2 = Assert.Throws<InvalidFileException>(() => ImageFolderDataset.Load(dir.Path, 4, 4));
        Assert.Contains(dir.Path, e2.Message);

        var empty = Path.Combine(dir.Path, "empty");
        Directory.CreateDirectory(empty);
        var e3 = Assert.Throws<InvalidFileException>(() => ImageFolderDataset.Load(dir.Path, 4, 4));
        Assert.Contains(empty, e3.Message);

        var bad = Path.Combine(empty, "bad.png");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var e4 = Assert.Throws<InvalidFileException>(() => ImageFolderDataset.Load(dir.Path, 4, 4));
        Assert.Contains(bad, e4.Message);
    }
}

public class OmniglotDownloaderTests
{
    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            return Task.FromResult(respond(request));
        }
    }

    private static HttpResponseMessage Bytes(byte[] b) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(b) };

    private static string Md5(byte[] b) => Convert.ToHexStringLower(MD5.HashData(b));

    [Fact]
    public void KnowsTorchvisionChecksums()
    {
        Assert.Equal([("images_background.zip", "68d2efa1b9178cc56df9314c21c6e718"), ("images_evaluation.zip", "6b91aef0f799c5bb55b94e3f2daec811")],
            OmniglotDownloader.Files);
    }

    [Fact]
    public async Task MismatchDeletesAndThrows()
    {
        using var dir = new TempDir();
        var handler = new StubHandler(_ => Bytes([1, 2, 3]));
        using var client = new HttpClient(handler);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => OmniglotDownloader.DownloadAsync(dir.Path, client));
        Assert.Contains("images_background.zip", e.Message);
        Assert.Contains("68d2efa1b9178cc56df9314c21c6e718", e.Message);
        Assert.Contains(Md5([1, 2, 3]), e.Message);
        Assert.Equal(new Uri(OmniglotDownloader.BaseUrl + "images_background.zip"), handler.Requests.Single());
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task MatchingFilesAreRenamedIntoPlaceAndThenSkipped()
    {
        using var dir = new TempDir();
        byte[] a = [10, 20, 30], b = [40, 50];
        var files = new[] { ("a.zip", new Uri("https://example.test/a.zip"), Md5(a)), ("b.zip", new Uri("https://example.test/b.zip"), Md5(b).ToUpperInvariant()) };
        var handler = new StubHandler(r => Bytes(r.RequestUri!.AbsolutePath.EndsWith("a.zip") ? a : b));
        using var client = new HttpClient(handler);
        var reports = new List<(int, int)>();
        await OmniglotDownloader.DownloadFilesAsync(dir.Path, client, files, new SyncProgress<(int done, int total)>(reports.Add));
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(dir.Path, "a.zip")));
        Assert.Equal(b, File.ReadAllBytes(Path.Combine(dir.Path, "b.zip")));
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
        Assert.Contains((3, 3), reports);
        await OmniglotDownloader.DownloadFilesAsync(dir.Path, client, files);
        Assert.Equal(2, handler.Requests.Count); // already verified: no new requests
    }

    [Fact]
    public async Task HttpErrorLeavesNothing()
    {
        using var dir = new TempDir();
        using var client = new HttpClient(new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound)));
        await Assert.ThrowsAsync<HttpRequestException>(() => OmniglotDownloader.DownloadAsync(dir.Path, client));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task CorruptExistingFileIsReplaced()
    {
        using var dir = new TempDir();
        byte[] good = [7, 7, 7];
        File.WriteAllBytes(Path.Combine(dir.Path, "a.zip"), [0]);
        using var client = new HttpClient(new StubHandler(_ => Bytes(good)));
        await OmniglotDownloader.DownloadFilesAsync(dir.Path, client, [("a.zip", new Uri("https://example.test/a.zip"), Md5(good))]);
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(dir.Path, "a.zip")));
    }

}
