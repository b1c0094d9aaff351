using System.Buffers.Binary;
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

    public static byte[] Doubles(params double[] v)
    {
        var b = new byte[v.Length * 8];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(8 * i), v[i]);
        return b;
    }

    public static byte[] Singles(params float[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), v[i]);
        return b;
    }

    public static byte[] Int32s(params int[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4 * i), v[i]);
        return b;
    }

    public static byte[] Int64s(params long[] v)
    {
        var b = new byte[v.Length * 8];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8 * i), v[i]);
        return b;
    }
}
