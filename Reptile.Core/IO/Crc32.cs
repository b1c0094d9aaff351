using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reptile.IO;

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as used by PNG and zip.</summary>
internal static class Crc32
{
    // Slicing-by-8 tables: T[k][b] is the CRC of byte b followed by k zero bytes; zip entries are checked at hundreds of MB.
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        for (int k = 1; k < 8; k++)
            for (int n = 0; n < 256; n++)
                t[k * 256 + n] = (t[(k - 1) * 256 + n] >> 8) ^ t[t[(k - 1) * 256 + n] & 0xFF];
        return t;
    }

    /// <summary>Continues a running CRC (start with 0).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        if (Pclmulqdq.IsSupported && Sse41.IsSupported && data.Length >= 64)
        {
            int bulk = data.Length & ~15;
            c = FoldPclmul(c, data[..bulk]);
            data = data[bulk..];
        }
        var t = Table.AsSpan();
        while (data.Length >= 8)
        {
            uint lo = c ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data);
            uint hi = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[7 * 256 + (int)(lo & 0xFF)] ^ t[6 * 256 + (int)((lo >> 8) & 0xFF)]
              ^ t[5 * 256 + (int)((lo >> 16) & 0xFF)] ^ t[4 * 256 + (int)(lo >> 24)]
              ^ t[3 * 256 + (int)(hi & 0xFF)] ^ t[2 * 256 + (int)((hi >> 8) & 0xFF)]
              ^ t[1 * 256 + (int)((hi >> 16) & 0xFF)] ^ t[(int)(hi >> 24)];
            data = data[8..];
        }
        foreach (var b in data) c = t[(int)((c ^ b) & 0xFF)] ^ (c >> 8);
        return ~c;
    }

    // Carry-less multiply folding (Intel, "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ"),
    // with zlib's constants for the reflected polynomial; the table loop is too slow for hundreds of MB in Debug builds.
    // Takes and returns the pre-inverted CRC; data.Length is a multiple of 16 and at least 64.
    private static uint FoldPclmul(uint c, ReadOnlySpan<byte> data)
    {
        var k1k2 = Vector128.Create(0x0154442bd4UL, 0x01c6e41596UL);
        var k3k4 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
        var k5k0 = Vector128.Create(0x0163cd6124UL, 0UL);
        var poly = Vector128.Create(0x01db710641UL, 0x01f7011641UL);
        var mask32 = Vector128.Create(~0u, 0u, ~0u, 0u).AsUInt64();

        var x1 = Load(data, 0) ^ Vector128.CreateScalar((ulong)c);
        var x2 = Load(data, 16);
        var x3 = Load(data, 32);
        var x4 = Load(data, 48);
        data = data[64..];
        while (data.Length >= 64)
        {
            x1 = Fold(x1, k1k2) ^ Load(data, 0);
            x2 = Fold(x2, k1k2) ^ Load(data, 16);
            x3 = Fold(x3, k1k2) ^ Load(data, 32);
            x4 = Fold(x4, k1k2) ^ Load(data, 48);
            data = data[64..];
        }
        x1 = Fold(x1, k3k4) ^ x2;
        x1 = Fold(x1, k3k4) ^ x3;
        x1 = Fold(x1, k3k4) ^ x4;
        while (data.Length >= 16)
        {
            x1 = Fold(x1, k3k4) ^ Load(data, 0);
            data = data[16..];
        }
        // 128 → 64 bits.
        var y = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x10);
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 8) ^ y;
        y = Sse2.ShiftRightLogical128BitLane(x1, 4);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & mask32, k5k0, 0x00) ^ y;
        // Barrett reduction to 32 bits.
        y = Pclmulqdq.CarrylessMultiply(x1 & mask32, poly, 0x10) & mask32;
        y = Pclmulqdq.CarrylessMultiply(y, poly, 0x00);
        x1 ^= y;
        return x1.AsUInt32().GetElement(1);
    }

    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> k) =>
        Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11);

    private static Vector128<ulong> Load(ReadOnlySpan<byte> data, int offset) =>
        Vector128.Create(data.Slice(offset, 16)).AsUInt64();

    public static uint Compute(ReadOnlySpan<byte> data) => Update(0, data);
}
