using System.Buffers.Binary;
using System.IO.Compression;
using Reptile.Data;

namespace Reptile.IO;

/// <summary>A decoded image as 8-bit gray values (row-major, Height·Width bytes).</summary>
public sealed class PngImage
{
    /// <summary>
    /// An image of <paramref name="width"/>×<paramref name="height"/> gray values (the array is kept, not copied).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="gray"/> does not hold width·height bytes.</exception>
    public PngImage(int width, int height, byte[] gray)
    {
        if (gray.Length != checked(width * height))
            throw new ArgumentException($"{width}x{height} image needs {width * height} bytes, got {gray.Length}.", nameof(gray));
        Width = width;
        Height = height;
        Gray = gray;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Gray values 0..255, row-major; 1-bit images give 0 or 255.</summary>
    public byte[] Gray { get; }

    /// <summary>The gray value at (<paramref name="row"/>, <paramref name="column"/>), both 0-based.</summary>
    public byte this[int row, int column] => Gray[row * Width + column];
}

/// <summary>
/// A pure managed, non-interlaced PNG decoder producing grayscale (<see cref="DecodeFile"/>) or the file's own
/// channels (<see cref="DecodePixels(Stream, string, ReadLimits?)"/>). For gray, colour is reduced to luminance with
/// ITU-R 601-2 weights in PIL's fixed point (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, as convert("L")); alpha is ignored.
/// Files are untrusted: a bad one throws <see cref="InvalidFileException"/>; chunk lengths are checked against the bytes
/// left, the image size against <see cref="ReadLimits.MaxImagePixels"/> and against what the compressed data can
/// inflate to, and inflation stops one byte past the exact size the header implies.
/// </summary>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Decodes the PNG file at <paramref name="path"/> (a regular file; FIFOs and devices are refused unopened).</summary>
    /// <exception cref="InvalidFileException">Not a supported PNG, or over <paramref name="limits"/>.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static PngImage DecodeFile(string path, ReadLimits? limits = null)
    {
        using var stream = UntrustedFile.OpenRead(path, "PNG file");
        return Decode(stream, new FileSource(path), ReadLimits.Or(limits));
    }

    /// <summary>Decodes a PNG from <paramref name="stream"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="InvalidFileException">Not a supported PNG, or over <paramref name="limits"/>.</exception>
    public static PngImage Decode(Stream stream, string sourceName, ReadLimits? limits = null) =>
        Decode(stream, new FileSource(sourceName), ReadLimits.Or(limits));

    /// <summary>Decodes a PNG from <paramref name="stream"/> keeping its colour: 1 channel for a gray PNG, 3 (RGB) for
    /// a colour or palette one; alpha is dropped and 16-bit samples keep their high byte.</summary>
    /// <exception cref="InvalidFileException">Not a supported PNG, or over <paramref name="limits"/>.</exception>
    public static PixelImage DecodePixels(Stream stream, string sourceName, ReadLimits? limits = null) =>
        DecodePixels(stream, new FileSource(sourceName), ReadLimits.Or(limits));

    internal static PngImage Decode(Stream stream, FileSource source, ReadLimits limits)
    {
        var image = DecodePixels(stream, source, limits);
        return new PngImage(image.Width, image.Height, image.Channels == 1 ? image.Pixels.ToArray() : image.ToGray().Pixels.ToArray());
    }

    internal static PixelImage DecodePixels(Stream stream, FileSource source, ReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> sig = stackalloc byte[8];
        StreamReading.ReadExactly(stream, sig, source, "signature");
        if (!sig.SequenceEqual(Signature))
            throw source.Invalid("signature", "not a PNG file (bad signature).");

        Span<byte> ihdr = stackalloc byte[13];
        ImageHeader header = default;
        byte[]? palette = null;
        var idat = new MemoryStream();
        bool sawHeader = false, sawEnd = false;
        Span<byte> head = stackalloc byte[8];
        Span<byte> crcBytes = stackalloc byte[4];
        var piece = new byte[8192];
        while (!sawEnd)
        {
            StreamReading.ReadExactly(stream, head, source, "chunk header");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(head);
            foreach (var c in head[4..])
                if (!char.IsAsciiLetter((char)c)) throw source.Invalid("chunk type", $"{Convert.ToHexString(head[4..])} is not a chunk name (file is corrupt).");
            string type = System.Text.Encoding.ASCII.GetString(head[4..]);
            if (length > int.MaxValue) throw source.Invalid($"{type} chunk length", $"{length} is over the PNG maximum of 2^31-1.");
            if (StreamReading.Remaining(stream) is long left && length + 4L > left)
                throw source.Invalid($"{type} chunk length", $"{length} runs past the end of the file ({left} bytes remain).");
            if (!sawHeader && type != "IHDR")
                throw source.Invalid("chunk order", $"the first chunk is {type}, not IHDR.");

            // Read the data in pieces into where it belongs, so a false length costs no more than the bytes present.
            scoped Span<byte> into = default;
            switch (type)
            {
                case "IHDR":
                    if (length != 13) throw source.Invalid("IHDR chunk length", $"{length}, not 13.");
                    into = ihdr;
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768)
                        throw source.Invalid("PLTE chunk length", $"{length} is not 3 × 1..256 entries.");
                    palette = new byte[length];
                    into = palette;
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                case "IDAT":
                    break;
                default:
                    if ((head[4] & 0x20) == 0) // uppercase first letter: critical chunk we don't know
                        throw source.Invalid("chunk type", $"unknown critical chunk {type}.");
                    break;
            }
            uint crc = Crc32.Compute(head[4..]);
            for (long done = 0; done < length;)
            {
                int n = (int)Math.Min(piece.Length, length - done);
                StreamReading.ReadExactly(stream, piece.AsSpan(0, n), source, $"{type} chunk data");
                crc = Crc32.Update(crc, piece.AsSpan(0, n));
                if (type == "IDAT")
                {
                    idat.Write(piece, 0, n);
                    if (idat.Length > header.MaxCompressedLength)
                        throw source.Invalid("IDAT", $"more than the {header.MaxCompressedLength} compressed bytes a {header.Width}x{header.Height} image can need.");
                }
                else if (!into.IsEmpty) piece.AsSpan(0, n).CopyTo(into[(int)done..]);
                done += n;
            }
            StreamReading.ReadExactly(stream, crcBytes, source, $"{type} chunk CRC");
            if (crc != BinaryPrimitives.ReadUInt32BigEndian(crcBytes))
                throw source.Invalid($"{type} chunk CRC", "mismatch (file is corrupt).");
            if (type == "IHDR")
            {
                if (sawHeader) throw source.Invalid("chunk order", "a second IHDR chunk.");
                sawHeader = true;
                // Checked now, so the image data that follows is bounded by what this header can need.
                header = ImageHeader.Parse(ihdr, source, limits);
            }
        }
        if (idat.Length == 0) throw source.Invalid("IDAT", "no image data chunk.");
        if (header.ColorType == 3 && palette == null) throw source.Invalid("PLTE", "palette image without a PLTE chunk.");
        if (header.RawLength > idat.Length * StreamReading.MaxDeflateRatio + 1024)
            throw source.Invalid("IDAT", $"{idat.Length} compressed bytes cannot hold the {header.RawLength} bytes a {header.Width}x{header.Height} image needs (truncated or corrupt).");
        int width = header.Width, height = header.Height, stride = header.Stride;
        var raw = new byte[header.RawLength];

        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int total = StreamReading.ReadFully(z, raw, source, "IDAT");
            if (total < raw.Length)
                throw source.Invalid("IDAT", $"image data is too short ({total} of {raw.Length} bytes for {width}x{height}).");
            if (z.ReadByte() >= 0)
                throw source.Invalid("IDAT", $"image data is longer than {width}x{height} needs.");
        }
        catch (InvalidDataException e)
        {
            throw source.Invalid("IDAT", $"cannot inflate the image data: {e.Message}", e);
        }

        Unfilter(raw, stride, height, header.BytesPerPixel, source);
        return ToPixels(raw, width, height, stride, header.ColorType, header.BitDepth, palette, source);
    }

    /// <summary>The IHDR fields, checked, and the sizes they imply.</summary>
    private readonly record struct ImageHeader(int Width, int Height, int BitDepth, int ColorType, int Stride, long RawLength, int BytesPerPixel)
    {
        /// <summary>Zlib's worst case on incompressible data is a few bytes per 16 KiB block: allow a generous margin.</summary>
        public long MaxCompressedLength => RawLength + RawLength / 1000 + 4096;

        public static ImageHeader Parse(ReadOnlySpan<byte> ihdr, FileSource source, ReadLimits limits)
        {
            uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr), height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
            int bitDepth = ihdr[8], colorType = ihdr[9];
            if (width == 0 || width > int.MaxValue) throw source.Invalid("IHDR width", $"{width} is not in 1..2^31-1.");
            if (height == 0 || height > int.MaxValue) throw source.Invalid("IHDR height", $"{height} is not in 1..2^31-1.");
            if (ihdr[10] != 0) throw source.Invalid("IHDR compression method", $"unknown method {ihdr[10]}.");
            if (ihdr[11] != 0) throw source.Invalid("IHDR filter method", $"unknown method {ihdr[11]}.");
            if (ihdr[12] != 0)
                throw source.Invalid("IHDR interlace method", ihdr[12] == 1
                    ? "interlaced (Adam7) PNGs are not supported; save the image non-interlaced."
                    : $"unknown method {ihdr[12]}.");
            ValidateFormat(colorType, bitDepth, source);
            if (!ShapeSize.TryProduct([(int)width, (int)height], 1, out long pixels) || pixels > limits.MaxImagePixels)
                throw source.Invalid("IHDR width × height", $"{width}x{height} is over the {limits.MaxImagePixels}-pixel limit (ReadLimits.MaxImagePixels).");
            int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
            int bitsPerPixel = channels * bitDepth;
            // Row bytes (with the filter byte) times rows, checked: the caller may have lifted the pixel limit.
            long stride = (width * (long)bitsPerPixel + 7) / 8;
            if (!ShapeSize.TryProduct([(int)height], stride + 1, out long rawLength) || rawLength > Array.MaxLength)
                throw source.Invalid("IHDR width × height", $"{width}x{height} at {bitsPerPixel} bits per pixel is too large for one buffer.");
            return new ImageHeader((int)width, (int)height, bitDepth, colorType, (int)stride, rawLength, Math.Max(1, bitsPerPixel / 8));
        }
    }

    private static void ValidateFormat(int colorType, int bitDepth, FileSource source)
    {
        bool ok = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            2 or 4 or 6 => bitDepth is 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            _ => false,
        };
        if (!ok) throw source.Invalid("IHDR colour type", $"invalid colour type {colorType} with bit depth {bitDepth}.");
    }

    /// <summary>Reverses the per-row filters in place; row r's filter byte is raw[r·(stride+1)].</summary>
    private static void Unfilter(byte[] raw, int stride, int height, int bpp, FileSource source)
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
                    throw source.Invalid("filter type", $"unknown filter type {filter} on row {r}.");
            }
        }
    }

    /// <summary>The unfiltered rows as 8-bit pixels: 1 channel for gray (types 0, 4), 3 for colour (2, 6 and palettes);
    /// alpha is dropped, 16-bit samples keep their high byte, 1/2/4-bit gray is scaled to 0..255.</summary>
    private static PixelImage ToPixels(byte[] raw, int width, int height, int stride, int colorType, int bitDepth, byte[]? palette, FileSource source)
    {
        int channels = colorType is 0 or 4 ? 1 : 3;
        var pixels = new byte[width * height * channels];
        for (int r = 0; r < height; r++)
        {
            var row = raw.AsSpan(r * (stride + 1) + 1, stride);
            var dst = pixels.AsSpan(r * width * channels, width * channels);
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
                            throw source.Invalid("palette index", $"{index} is out of range ({palette.Length / 3} entries).");
                        palette.AsSpan(3 * index, 3).CopyTo(dst[(3 * x)..]);
                    }
                    break;
                case (2, 8): row[..(3 * width)].CopyTo(dst); break;
                case (2, 16): for (int i = 0; i < 3 * width; i++) dst[i] = row[2 * i]; break;
                case (4, 8): for (int x = 0; x < width; x++) dst[x] = row[2 * x]; break;
                case (4, 16): for (int x = 0; x < width; x++) dst[x] = row[4 * x]; break;
                case (6, 8): for (int x = 0; x < width; x++) { dst[3 * x] = row[4 * x]; dst[3 * x + 1] = row[4 * x + 1]; dst[3 * x + 2] = row[4 * x + 2]; } break;
                case (6, 16): for (int x = 0; x < width; x++) { dst[3 * x] = row[8 * x]; dst[3 * x + 1] = row[8 * x + 2]; dst[3 * x + 2] = row[8 * x + 4]; } break;
            }
        }
        return PixelImage.Own(width, height, channels, pixels);
    }

    /// <summary>The x-th packed sample (MSB first) of a row with 1, 2 or 4 bits per sample.</summary>
    private static int Sample(ReadOnlySpan<byte> row, int x, int bits)
    {
        int bit = x * bits;
        return (row[bit >> 3] >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
    }

}
