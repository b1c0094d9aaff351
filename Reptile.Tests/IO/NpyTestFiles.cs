using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Reptile.Tests.IO;

/// <summary>Builds .npy byte images by hand, as NumPy writes them.</summary>
internal static class NpyTestFiles
{
    public static byte[] Build(string descr, int[] shape, byte[] data, int major = 1, bool fortran = false)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shapeText}, }}";
        int prefix = major == 1 ? 10 : 12;
        int total = prefix + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
            ms.Write(len);
        }
        else
        {
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length);
            ms.Write(len);
        }
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.Write(data);
        return ms.ToArray();
    }

    public static byte[] Doubles(params double[] v) => LittleEndian(v);

    public static byte[] Singles(params float[] v) => LittleEndian(v);

    public static byte[] Int32s(params int[] v) => LittleEndian(v);

    public static byte[] Int64s(params long[] v) => LittleEndian(v);

    /// <summary>The values' bytes in the little-endian order the "&lt;" dtypes store.</summary>
    private static byte[] LittleEndian<T>(T[] values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < bytes.Length; i += Unsafe.SizeOf<T>()) bytes.AsSpan(i, Unsafe.SizeOf<T>()).Reverse();
        return bytes;
    }
}
