using Reptile.Tests.Support;
using System.Net;
using System.Security.Cryptography;
using Reptile.Data;
using Reptile.Tests.IO;

namespace Reptile.Tests.Data;

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
