using System.Buffers.Binary;
using System.Text;

namespace Reptile.Tests.IO;

/// <summary>Builds safetensors files byte by byte, so tests can hand the reader headers its writer never makes.</summary>
internal static class SafeTensorsTestFiles
{
    /// <summary>An 8-byte little-endian header length, the header's UTF-8 and the data.</summary>
    public static byte[] Build(string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }
}
