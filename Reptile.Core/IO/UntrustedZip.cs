using System.IO.Compression;

namespace Reptile.IO;

/// <summary>Opens zip archives (.npz, Omniglot's zips) and their entries under the read limits: a corrupt central
/// directory or an entry that claims more than its compressed size can produce is an <see cref="InvalidFileException"/>.</summary>
internal static class UntrustedZip
{
    /// <summary>Opens <paramref name="path"/> as a zip (a regular file only; see <see cref="UntrustedFile"/>).</summary>
    public static ZipArchive Open(string path, string kind)
    {
        var stream = UntrustedFile.OpenRead(path, kind);
        try
        {
            var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            // The central directory is parsed on first use of Entries: do it here, where its errors are caught.
            _ = zip.Entries.Count;
            return zip;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException or OverflowException)
        {
            stream.Dispose();
            throw new InvalidFileException(path, null, "zip central directory", $"not a valid {kind}: {e.Message}", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens an entry for reading after checking its recorded size against the limits and its compressed size;
    /// the stream stops at that size and checks the CRC.</summary>
    public static CrcCheckingStream OpenEntry(ZipArchiveEntry entry, FileSource source, ReadLimits limits)
    {
        long length = entry.Length, compressed = entry.CompressedLength;
        if (length > limits.MaxInflatedEntryBytes)
            throw source.Invalid("uncompressed size", $"{length} bytes is over the {limits.MaxInflatedEntryBytes}-byte limit (ReadLimits.MaxInflatedEntryBytes).");
        if (length < 0 || compressed < 0 || length > compressed * StreamReading.MaxDeflateRatio + 1024)
            throw source.Invalid("uncompressed size", $"{length} bytes cannot come from {compressed} compressed bytes.");
        try
        {
            return new CrcCheckingStream(entry.Open(), length, entry.Crc32, source);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw source.Invalid("local header", $"cannot open the zip entry: {e.Message}", e);
        }
    }
}
