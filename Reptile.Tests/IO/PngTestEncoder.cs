using System.Buffers.Binary;
using System.IO.Compression;
using Reptile.IO;

namespace Reptile.Tests.IO;

/// <summary>A minimal PNG writer for tests: packed rows in, any filter per row, optional palette and interlace flag.</summary>
internal static class PngTestEncoder
{
    /// <summary>Encodes <paramref name="rows"/> (each already packed at the given depth and channel count).</summary>
    public static byte[] Encode(int width, int height, int colorType, int bitDepth, byte[][] rows,
        Func<int, int>? filterOfRow = null, byte[]? palette = null, bool interlaced = false)
    {
        int channels = Channels(colorType);
        int bpp = Math.Max(1, channels * bitDepth / 8);
        int stride = (width * channels * bitDepth + 7) / 8;
        for (int r = 0; r < height; r++)
            if (rows[r].Length != stride) throw new ArgumentException($"row {r} has {rows[r].Length} bytes, expected {stride}");
        var filtered = new MemoryStream();
        FilterRows(rows[..height], bpp, filterOfRow, filtered);
        return Assemble(width, height, colorType, bitDepth, filtered.ToArray(), palette, interlaced);
    }

    /// <summary>
    /// A real Adam7-interlaced PNG of <paramref name="samples"/> ([row, column·channels], each &lt; 2^bitDepth): the seven
    /// passes' sub-images, each packed and filtered on its own (filter of pass row r: <paramref name="filterOfRow"/>).
    /// </summary>
    public static byte[] EncodeInterlaced(int width, int height, int colorType, int bitDepth, int[,] samples,
        Func<int, int>? filterOfRow = null, byte[]? palette = null)
    {
        int channels = Channels(colorType);
        int bpp = Math.Max(1, channels * bitDepth / 8);
        ReadOnlySpan<(int Row, int Column, int RowStep, int ColumnStep)> passes =
            [(0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1)];
        var filtered = new MemoryStream();
        foreach (var pass in passes)
        {
            int passWidth = (width - pass.Column + pass.ColumnStep - 1) / pass.ColumnStep;
            int passHeight = (height - pass.Row + pass.RowStep - 1) / pass.RowStep;
            if (passWidth <= 0 || passHeight <= 0) continue; // an empty pass has no rows, not even filter bytes
            var sub = new int[passHeight, passWidth * channels];
            for (int r = 0; r < passHeight; r++)
                for (int c = 0; c < passWidth; c++)
                    for (int k = 0; k < channels; k++)
                        sub[r, c * channels + k] = samples[pass.Row + r * pass.RowStep, (pass.Column + c * pass.ColumnStep) * channels + k];
            FilterRows(Pack(sub, bitDepth), bpp, filterOfRow, filtered);
        }
        return Assemble(width, height, colorType, bitDepth, filtered.ToArray(), palette, interlaced: true);
    }

    private static int Channels(int colorType) => colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

    /// <summary>Appends each row with its filter byte, filtered against the row above (zeros above the first).</summary>
    private static void FilterRows(byte[][] rows, int bpp, Func<int, int>? filterOfRow, Stream filtered)
    {
        var prior = new byte[rows.Length > 0 ? rows[0].Length : 0];
        for (int r = 0; r < rows.Length; r++)
        {
            int f = filterOfRow?.Invoke(r) ?? 0;
            var row = rows[r];
            filtered.WriteByte((byte)f);
            for (int i = 0; i < row.Length; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
                int pred = f switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => Paeth(a, b, c) };
                filtered.WriteByte((byte)(row[i] - pred));
            }
            prior = row;
        }
    }

    private static byte[] Assemble(int width, int height, int colorType, int bitDepth, byte[] filtered, byte[]? palette, bool interlaced)
    {
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(filtered);
        var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)(interlaced ? 1 : 0);
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "tEXt", "Comment\0test"u8.ToArray()); // ancillary chunks are skipped
        if (palette != null) WriteChunk(png, "PLTE", palette);
        // Split the data over two IDAT chunks to exercise concatenation.
        var data = compressed.ToArray();
        int half = data.Length / 2;
        WriteChunk(png, "IDAT", data[..half]);
        WriteChunk(png, "IDAT", data[half..]);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Packs samples (each &lt; 2^bitDepth) MSB first into rows; for 16-bit, samples are big-endian pairs.</summary>
    public static byte[][] Pack(int[,] samples, int bitDepth)
    {
        int h = samples.GetLength(0), n = samples.GetLength(1);
        var rows = new byte[h][];
        for (int r = 0; r < h; r++)
        {
            var row = new byte[(n * bitDepth + 7) / 8];
            for (int x = 0; x < n; x++)
            {
                int v = samples[r, x];
                if (bitDepth == 16) { row[2 * x] = (byte)(v >> 8); row[2 * x + 1] = (byte)v; }
                else if (bitDepth == 8) row[x] = (byte)v;
                else
                {
                    int bit = x * bitDepth;
                    row[bit >> 3] |= (byte)(v << (8 - bitDepth - (bit & 7)));
                }
            }
            rows[r] = row;
        }
        return rows;
    }

    /// <summary>A copy with every complete chunk's CRC recomputed, so a mutation reaches the checks behind the CRC.</summary>
    public static byte[] WithFixedCrcs(byte[] png)
    {
        var fixedPng = (byte[])png.Clone();
        for (long pos = 8; pos + 12 <= fixedPng.Length;)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(fixedPng.AsSpan((int)pos));
            if (pos + 12 + length > fixedPng.Length) break;
            var typeAndData = fixedPng.AsSpan((int)pos + 4, 4 + (int)length);
            BinaryPrimitives.WriteUInt32BigEndian(fixedPng.AsSpan((int)(pos + 8 + length)), Crc32.Compute(typeAndData));
            pos += 12 + length;
        }
        return fixedPng;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> b4 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b4, (uint)data.Length);
        s.Write(b4);
        var t = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(b4, Crc32.Update(Crc32.Compute(t), data));
        s.Write(b4);
    }
}
