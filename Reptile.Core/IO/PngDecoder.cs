using System.Buffers.Binary;
using System.IO.Compression;

namespace Reptile.IO;

/// <summary>A decoded image as 8-bit gray values (row-major, Height·Width bytes).</summary>
public sealed class PngImage
{
    public PngImage(int width, int height, byte[] gray)
    {
        if (gray.Length != checked(width * height))
            throw new ArgumentException($"{width}x{height} image needs {width * height} bytes, got {gray.Length}.", nameof(gray));
        Width = width;
        Height = height;
        Gray = gray;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Gray values 0..255, row-major; 1-bit images give 0 or 255.</summary>
    public byte[] Gray { get; }

    public byte this[int row, int column] => Gray[row * Width + column];
}

/// <summary>
/// A pure managed, non-interlaced PNG decoder producing grayscale. Colour is reduced to luminance with
/// ITU-R 601-2 weights in PIL's fixed point (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, as convert("L")); alpha is ignored.
/// </summary>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    public static PngImage DecodeFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"PNG file not found: {path}", path);
        using var stream = File.OpenRead(path);
        return Decode(stream, path);
    }

    public static PngImage Decode(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> sig = stackalloc byte[8];
        ReadChunkBytes(stream, sig, sourceName, "the signature");
        if (!sig.SequenceEqual(Signature))
            throw new InvalidDataException($"{sourceName}: not a PNG file (bad signature).");

        int width = 0, height = 0, bitDepth = 0, colorType = -1;
        byte[]? palette = null;
        var idat = new MemoryStream();
        bool sawHeader = false, sawEnd = false;
        Span<byte> head = stackalloc byte[8];
        Span<byte> crcBytes = stackalloc byte[4];
        while (!sawEnd)
        {
            ReadChunkBytes(stream, head, sourceName, "a chunk header");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(head);
            if (length > int.MaxValue) throw new InvalidDataException($"{sourceName}: chunk length {length} is invalid.");
            string type = System.Text.Encoding.ASCII.GetString(head[4..]);
            var data = new byte[length];
            ReadChunkBytes(stream, data, sourceName, $"the {type} chunk");
            ReadChunkBytes(stream, crcBytes, sourceName, $"the {type} chunk CRC");
            uint crc = Crc32.Update(Crc32.Compute(head[4..]), data);
            if (crc != BinaryPrimitives.ReadUInt32BigEndian(crcBytes))
                throw new InvalidDataException($"{sourceName}: CRC mismatch in the {type} chunk (file is corrupt).");

            if (!sawHeader && type != "IHDR")
                throw new InvalidDataException($"{sourceName}: the first chunk is {type}, not IHDR.");
            switch (type)
            {
                case "IHDR":
                    if (length != 13) throw new InvalidDataException($"{sourceName}: IHDR has length {length}, not 13.");
                    width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data), int.MaxValue);
                    height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4)), int.MaxValue);
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[10] != 0 || data[11] != 0)
                        throw new InvalidDataException($"{sourceName}: unknown compression or filter method.");
                    if (data[12] != 0)
                        throw new NotSupportedException($"{sourceName}: interlaced (Adam7) PNGs are not supported; save the image non-interlaced.");
                    if (width <= 0 || height <= 0 || (long)width * height > 1L << 28)
                        throw new InvalidDataException($"{sourceName}: invalid image size {width}x{height}.");
                    ValidateFormat(colorType, bitDepth, sourceName);
                    sawHeader = true;
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768)
                        throw new InvalidDataException($"{sourceName}: PLTE has invalid length {length}.");
                    palette = data;
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    if ((head[4] & 0x20) == 0) // uppercase first letter: critical chunk we don't know
                        throw new InvalidDataException($"{sourceName}: unknown critical chunk {type}.");
                    break;
            }
        }
        if (idat.Length == 0) throw new InvalidDataException($"{sourceName}: no IDAT (image data) chunk.");
        if (colorType == 3 && palette == null) throw new InvalidDataException($"{sourceName}: palette image without a PLTE chunk.");

        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bitsPerPixel = channels * bitDepth;
        int stride = checked((width * bitsPerPixel + 7) / 8);
        int bpp = Math.Max(1, bitsPerPixel / 8);
        var raw = new byte[checked((stride + 1) * height)];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int total = 0;
            while (total < raw.Length)
            {
                int n = z.Read(raw, total, raw.Length - total);
                if (n == 0) break;
                total += n;
            }
            if (total < raw.Length)
                throw new InvalidDataException($"{sourceName}: image data is too short ({total} of {raw.Length} bytes for {width}x{height}).");
            if (z.ReadByte() >= 0)
                throw new InvalidDataException($"{sourceName}: image data is longer than {width}x{height} needs.");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(sourceName, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{sourceName}: cannot inflate the image data: {e.Message}", e);
        }

        Unfilter(raw, stride, height, bpp, sourceName);
        return new PngImage(width, height, ToGray(raw, width, height, stride, colorType, bitDepth, palette, sourceName));
    }

    private static void ValidateFormat(int colorType, int bitDepth, string sourceName)
    {
        bool ok = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            2 or 4 or 6 => bitDepth is 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            _ => false,
        };
        if (!ok) throw new InvalidDataException($"{sourceName}: invalid colour type {colorType} with bit depth {bitDepth}.");
    }

    private static void ReadChunkBytes(Stream stream, Span<byte> buffer, string sourceName, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) throw new InvalidDataException($"{sourceName}: PNG is truncated (ended while reading {what}).");
            total += n;
        }
    }

    /// <summary>Reverses the per-row filters in place; row r's filter byte is raw[r·(stride+1)].</summary>
    private static void Unfilter(byte[] raw, int stride, int height, int bpp, string sourceName)
    {
        var prior = new byte[stride]; // the row above the first is zeros
        for (int r = 0; r < height; r++)
        {
            int start = r * (stride + 1);
            byte filter = raw[start];
            var row = raw.AsSpan(start + 1, stride);
            ReadOnlySpan<byte> up = r == 0 ? prior : raw.AsSpan(start - stride, stride);
            switch (filter)
            {
                case 0:
                    break;
                case 1:
                    for (int i = bpp; i < stride; i++) row[i] += row[i - bpp];
                    break;
                case 2:
                    for (int i = 0; i < stride; i++) row[i] += up[i];
                    break;
                case 3:
                    for (int i = 0; i < stride; i++) row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + up[i]) >> 1);
                    break;
                case 4:
                    for (int i = 0; i < stride; i++)
                    {
                        int a = i >= bpp ? row[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
                        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                        row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                    }
                    break;
                default:
                    throw new InvalidDataException($"{sourceName}: unknown filter type {filter} on row {r}.");
            }
        }
    }

    private static byte[] ToGray(byte[] raw, int width, int height, int stride, int colorType, int bitDepth, byte[]? palette, string sourceName)
    {
        var gray = new byte[width * height];
        byte[]? paletteGray = null;
        if (palette != null && colorType == 3)
        {
            paletteGray = new byte[256];
            for (int i = 0; i < palette.Length / 3; i++)
                paletteGray[i] = Luma(palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]);
        }
        for (int r = 0; r < height; r++)
        {
            var row = raw.AsSpan(r * (stride + 1) + 1, stride);
            var dst = gray.AsSpan(r * width, width);
            switch (colorType, bitDepth)
            {
                case (0, 8): row.CopyTo(dst); break;
                case (0, 16): for (int x = 0; x < width; x++) dst[x] = row[2 * x]; break;
                case (0, _):
                {
                    int max = (1 << bitDepth) - 1;
                    for (int x = 0; x < width; x++) dst[x] = (byte)(Sample(row, x, bitDepth) * 255 / max);
                    break;
                }
                case (3, _):
                    for (int x = 0; x < width; x++)
                    {
                        int index = bitDepth == 8 ? row[x] : Sample(row, x, bitDepth);
                        if (index >= palette!.Length / 3)
                            throw new InvalidDataException($"{sourceName}: palette index {index} is out of range ({palette.Length / 3} entries).");
                        dst[x] = paletteGray![index];
                    }
                    break;
                case (2, 8): for (int x = 0; x < width; x++) dst[x] = Luma(row[3 * x], row[3 * x + 1], row[3 * x + 2]); break;
                case (2, 16): for (int x = 0; x < width; x++) dst[x] = Luma(row[6 * x], row[6 * x + 2], row[6 * x + 4]); break;
                case (4, 8): for (int x = 0; x < width; x++) dst[x] = row[2 * x]; break;
                case (4, 16): for (int x = 0; x < width; x++) dst[x] = row[4 * x]; break;
                case (6, 8): for (int x = 0; x < width; x++) dst[x] = Luma(row[4 * x], row[4 * x + 1], row[4 * x + 2]); break;
                case (6, 16): for (int x = 0; x < width; x++) dst[x] = Luma(row[8 * x], row[8 * x + 2], row[8 * x + 4]); break;
            }
        }
        return gray;
    }

    /// <summary>The x-th packed sample (MSB first) of a row with 1, 2 or 4 bits per sample.</summary>
    private static int Sample(ReadOnlySpan<byte> row, int x, int bits)
    {
        int bit = x * bits;
        return (row[bit >> 3] >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
    }

    // 16-bit samples keep their high byte.
    private static byte Luma(int r, int g, int b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}
