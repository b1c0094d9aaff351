using System.IO.Compression;

namespace Reptile.IO;

/// <summary>A NumPy .npz archive (a zip of .npy files, stored or deflated), read lazily one array at a time.
/// Bad content throws <see cref="InvalidFileException"/> naming the archive and the entry.</summary>
public sealed class NpzArchive : IDisposable
{
    private readonly ZipArchive zip;
    private readonly ReadLimits limits;
    private readonly Dictionary<string, ZipArchiveEntry> entries = new(StringComparer.Ordinal);

    private NpzArchive(string path, ZipArchive zip, ReadLimits limits)
    {
        Path = path;
        this.zip = zip;
        this.limits = limits;
        foreach (var e in zip.Entries)
        {
            if (e.FullName.EndsWith('/')) continue;
            entries[StripNpy(e.FullName)] = e;
        }
        Names = entries.Keys.ToArray();
    }

    /// <summary>The archive's path as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>Array names without the ".npy" suffix, in archive order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Opens the archive and reads its directory; arrays are read on demand.</summary>
    /// <exception cref="InvalidFileException">Not a zip archive, or not a regular file.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static NpzArchive Open(string path, ReadLimits? limits = null)
    {
        var checkedLimits = ReadLimits.Or(limits);
        return new NpzArchive(path, UntrustedZip.Open(path, "NumPy .npz archive"), checkedLimits);
    }

    /// <summary>Whether the archive holds an array of that name (with or without ".npy").</summary>
    public bool Contains(string name) => entries.ContainsKey(StripNpy(name));

    /// <summary>Reads a whole array; <paramref name="name"/> may end in ".npy" or not.</summary>
    /// <exception cref="KeyNotFoundException">No such array.</exception>
    /// <exception cref="InvalidFileException">The entry is corrupt or exceeds the limits.</exception>
    public NpyArray Get(string name)
    {
        var (entry, source) = Find(name);
        using var stream = UntrustedZip.OpenEntry(entry, source, limits);
        return NpyReader.Read(stream, source, limits);
    }

    /// <summary>Opens an array for streaming: its header and a stream positioned at the first data byte. The header
    /// is checked against the entry's size, so reading <see cref="NpyHeader.ByteLength"/> bytes through
    /// <see cref="ReadData"/> ends exactly at the entry's end.</summary>
    public (NpyHeader Header, Stream Data) OpenData(string name)
    {
        var (entry, source) = Find(name);
        var stream = UntrustedZip.OpenEntry(entry, source, limits);
        try
        {
            var header = NpyReader.ReadHeader(stream, source);
            NpyReader.RequireDataLength(stream, source, header);
            return (header, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from a stream returned by <see cref="OpenData"/>, naming the archive and
    /// entry on failure. (<paramref name="header"/> is kept for source compatibility; the entry's length was checked by <see cref="OpenData"/>.)</summary>
    public void ReadData(string name, NpyHeader header, Stream data, Span<byte> buffer) =>
        NpyReader.ReadData(data, buffer, Find(name).Source);

    /// <summary>The archive and entry an array comes from, for errors about its content found by callers.</summary>
    internal FileSource SourceOf(string name) => Find(name).Source;

    /// <summary>Closes the archive.</summary>
    public void Dispose() => zip.Dispose();

    private static string StripNpy(string name) => name.EndsWith(".npy", StringComparison.Ordinal) ? name[..^4] : name;

    private (ZipArchiveEntry Entry, FileSource Source) Find(string name)
    {
        var key = StripNpy(name);
        if (!entries.TryGetValue(key, out var entry))
            throw new KeyNotFoundException($"{Path}: no array named '{key}' (has: {string.Join(", ", Names)}).");
        return (entry, new FileSource(Path, entry.FullName));
    }
}
