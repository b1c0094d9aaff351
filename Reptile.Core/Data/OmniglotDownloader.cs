using System.Security.Cryptography;
using Reptile.IO;

namespace Reptile.Data;

/// <summary>Downloads the official Omniglot zips and checks them against the MD5s torchvision records.</summary>
public static class OmniglotDownloader
{
    /// <summary>
    /// Where the official zips are downloaded from (Brenden Lake's omniglot repository, the source torchvision uses).
    /// </summary>
    public const string BaseUrl = "https://raw.githubusercontent.com/brendenlake/omniglot/master/python/";

    /// <summary>MD5s from torchvision's Omniglot dataset class (torchvision/datasets/omniglot.py, zips_md5).</summary>
    public static IReadOnlyList<(string FileName, string Md5)> Files { get; } =
    [
        ("images_background.zip", "68d2efa1b9178cc56df9314c21c6e718"),
        ("images_evaluation.zip", "6b91aef0f799c5bb55b94e3f2daec811"),
    ];

    /// <summary>Downloads both zips into <paramref name="folder"/>; files already there with the right MD5 are kept.
    /// Progress reports bytes of the current file (total -1 when the server gives no length).</summary>
    public static Task DownloadAsync(string folder, HttpClient client, IProgress<(int done, int total)>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadFilesAsync(folder, client, Files.Select(f => (f.FileName, new Uri(BaseUrl + f.FileName), f.Md5)).ToArray(), progress, cancellationToken);

    /// <summary>Downloads each file to a temporary name, verifies its MD5 and renames it into place; a mismatch deletes it and throws.</summary>
    public static async Task DownloadFilesAsync(string folder, HttpClient client, IReadOnlyList<(string FileName, Uri Url, string Md5)> files,
        IProgress<(int done, int total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(client);
        Directory.CreateDirectory(folder);
        foreach (var (fileName, url, md5) in files)
        {
            var target = Path.Combine(folder, fileName);
            if (File.Exists(target) && string.Equals(await Md5OfFileAsync(target, cancellationToken), md5, StringComparison.OrdinalIgnoreCase))
                continue;
            var temp = Path.Combine(folder, $".{fileName}.{Guid.NewGuid():N}.download");
            try
            {
                string actual;
                using (var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
                {
                    response.EnsureSuccessStatusCode();
                    long? length = response.Content.Headers.ContentLength;
                    int total = length is long l and <= int.MaxValue ? (int)l : -1;
                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                    await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                    var buffer = new byte[1 << 16];
                    int done = 0, n;
                    progress?.Report((0, total));
                    while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                        done += n;
                        progress?.Report((done, total));
                    }
                    await file.FlushAsync(cancellationToken);
                    file.Flush(flushToDisk: true);
                    actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                }
                if (!string.Equals(actual, md5, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException(
                        $"Checksum mismatch for {fileName} downloaded from {url}: MD5 {actual}, expected {md5}. The download was deleted; retry, or fetch the file by hand into {folder}.");
                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }

    private static async Task<string> Md5OfFileAsync(string path, CancellationToken cancellationToken)
    {
        // A FIFO or device under the target's name would block or never end: refused by name.
        await using var s = UntrustedFile.OpenRead(path, "download");
        return Convert.ToHexStringLower(await MD5.HashDataAsync(s, cancellationToken));
    }
}
