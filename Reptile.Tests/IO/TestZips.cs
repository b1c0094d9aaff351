using System.Buffers.Binary;
using System.IO.Compression;

namespace Reptile.Tests.IO;

/// <summary>Builds zip archives in memory and edits their size fields, for tests of readers of untrusted zips.</summary>
internal static class TestZips
{
    public static byte[] Build(params (string Name, byte[] Data, CompressionLevel Level)[] entries)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data, level) in entries)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(data);
            }
        return ms.ToArray();
    }

    /// <summary>A copy whose every local and central header claims <paramref name="size"/> uncompressed bytes.</summary>
    public static byte[] WithUncompressedSize(byte[] zip, uint size)
    {
        var copy = (byte[])zip.Clone();
        for (int i = 0; i + 4 <= copy.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(i));
            if (signature == 0x04034b50 && i + 26 <= copy.Length) BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(i + 22), size);
            else if (signature == 0x02014b50 && i + 28 <= copy.Length) BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(i + 24), size);
        }
        return copy;
    }

    /// <summary>A copy with the central directory (from its first record to the end) overwritten with noise.</summary>
    public static byte[] WithScrambledDirectory(byte[] zip)
    {
        var copy = (byte[])zip.Clone();
        int start = copy.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x50, 0x4b, 0x01, 0x02]);
        var random = new Random(5);
        for (int i = start + 4; i < copy.Length - 22; i++) copy[i] = (byte)random.Next(256);
        return copy;
    }
}
