using System.IO.Compression;

namespace Reptile.IO;

/// <summary>A NumPy .npz archive (a zip of .npy files, stored or deflated), read lazily one array at a time.</summary>
public sealed class NpzArchive : IDisposable
{
    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> entries = new(StringComparer.Ordinal);

    private NpzArchive(string path, ZipArchive zip)
    {
        Path = path;
        this.zip = zip;
        foreach (var e in zip.Entries)
        {
            if (e.FullName.EndsWith('/')) continue;
            var name = e.FullName.EndsWith(".npy", StringComparison.Ordinal) ? e.FullName[..^4] : e.FullName;
            entries[name] = e;
        }
        Names = entries.Keys.ToArray();
    }

    public string Path { get; }

    /// <summary>Array names without the ".npy" suffix, in archive order.</summary>
    public IReadOnlyList<string> Names { get; }

    public static NpzArchive Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"NumPy archive not found: {path}", path);
        var stream = File.OpenRead(path);
        try
        {
            return new NpzArchive(path, new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false));
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw new InvalidDataException($"{path}: not a valid .npz (zip) archive: {e.Message}", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => entries.ContainsKey(StripNpy(name));

    /// <summary>Reads a whole array; <paramref name="name"/> may end in ".npy" or not.</summary>
    public NpyArray Get(string name)
    {
        var (entry, source) = Find(name);
        using var stream = OpenEntry(entry, source);
        return NpyReader.Read(stream, source);
    }

    /// <summary>Opens an array for streaming: its header and a stream positioned at the first data byte.
    /// Read data through <see cref="ReadData"/> so corruption errors name the archive.</summary>
    public (NpyHeader Header, Stream Data) OpenData(string name)
    {
        var (entry, source) = Find(name);
        var stream = OpenEntry(entry, source);
        try
        {
            return (NpyReader.ReadHeader(stream, source), stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from a stream returned by <see cref="OpenData"/>, naming the archive on failure.</summary>
    public void ReadData(string name, NpyHeader header, Stream data, Span<byte> buffer) =>
        NpyReader.ReadData(data, buffer, SourceName(StripNpy(name)), header);

    public void Dispose() => zip.Dispose();

    private string SourceName(string name) => $"{Path} (array '{name}')";

    private static string StripNpy(string name) => name.EndsWith(".npy", StringComparison.Ordinal) ? name[..^4] : name;

    private (ZipArchiveEntry Entry, string Source) Find(string name)
    {
        var key = StripNpy(name);
        if (!entries.TryGetValue(key, out var entry))
            throw new KeyNotFoundException($"{Path}: no array named '{key}' (has: {string.Join(", ", Names)}).");
        return (entry, SourceName(key));
    }

    private static Stream OpenEntry(ZipArchiveEntry entry, string source)
    {
        try
        {
            return new CrcCheckingStream(entry.Open(), entry.Length, entry.Crc32, source);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: cannot open the zip entry: {e.Message}", e);
        }
    }
}
