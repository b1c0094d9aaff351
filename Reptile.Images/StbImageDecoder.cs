using Reptile.Data;
using Reptile.IO;
using StbImageSharp;

namespace Reptile.Images;

/// <summary>
/// JPEG (baseline and progressive), BMP, GIF (the first frame), TGA and PNG (interlaced too) through StbImageSharp, as
/// an <see cref="IImageDecoder"/>. The image size is read from the header (<c>ImageInfo.FromStream</c>) and checked
/// against <see cref="ReadLimits.MaxImagePixels"/> before any pixel is decoded or allocated, so a small file that
/// claims a huge image is refused cheaply; anything StbImageSharp rejects becomes an <see cref="InvalidFileException"/>
/// naming the file. Gray files decode to 1 channel, others to RGB; alpha is dropped.
/// </summary>
public sealed class StbImageDecoder : IImageDecoder
{
    /// <summary>The one instance (the decoder has no state).</summary>
    public static StbImageDecoder Instance { get; } = new();

    private StbImageDecoder()
    {
    }

    /// <inheritdoc/>
    public string Name => "JPEG/BMP/GIF/TGA/PNG (StbImageSharp)";

    /// <inheritdoc/>
    public IReadOnlyList<string> FileExtensions { get; } = [".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".gif", ".tga", ".png"];

    /// <inheritdoc/>
    public bool CanDecode(ReadOnlySpan<byte> header) => FormatOf(header) != null;

    /// <summary>The format a file starting with <paramref name="header"/> is in, by its magic bytes, or null.</summary>
    public static string? FormatOf(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "JPEG";
        if (header.StartsWith((ReadOnlySpan<byte>)[137, 80, 78, 71, 13, 10, 26, 10])) return "PNG";
        if (header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8)) return "GIF";
        if (header.Length >= 18 && header.StartsWith("BM"u8)) return "BMP";
        return LooksLikeTga(header) ? "TGA" : null;
    }

    /// <summary>TGA has no magic number: stb_image's own test of the header's fields (colour map type, image type,
    /// sizes, bits per pixel).</summary>
    private static bool LooksLikeTga(ReadOnlySpan<byte> h)
    {
        if (h.Length < 18) return false;
        int colorMapType = h[1], imageType = h[2];
        if (colorMapType > 1) return false;
        if (colorMapType == 1)
        {
            if (imageType is not (1 or 9)) return false;
            if (h[7] is not (8 or 15 or 16 or 24 or 32)) return false;
        }
        else if (imageType is not (2 or 3 or 10 or 11)) return false;
        int width = h[12] | h[13] << 8, height = h[14] | h[15] << 8;
        if (width < 1 || height < 1) return false;
        int bits = h[16];
        return colorMapType == 1 ? bits is 8 or 16 : bits is 8 or 15 or 16 or 24 or 32;
    }

    private static byte[] Header(Stream stream)
    {
        var header = new byte[ImageDecoders.HeaderLength];
        int length = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        return header[..length];
    }

    /// <summary>stb_image decodes a JPEG without a scan (a header alone, or one cut off before its data) to an image
    /// of whatever its buffers held: a file must at least have a start-of-scan marker (FF DA).</summary>
    private static void RequireScan(Stream stream, string sourceName)
    {
        var buffer = new byte[1 << 16];
        int previous = -1;
        for (int n; (n = stream.Read(buffer)) > 0;)
            for (int i = 0; i < n; i++)
            {
                if (previous == 0xFF && buffer[i] == 0xDA) return;
                previous = buffer[i];
            }
        throw new InvalidFileException(sourceName, null, "image data", "the JPEG has no scan (start-of-scan marker FF DA): truncated or not an image");
    }

    /// <inheritdoc/>
    public PixelImage Decode(Stream stream, string sourceName, ReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        long start = stream.Position;
        ImageInfo? info;
        try { info = ImageInfo.FromStream(stream); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidFileException(sourceName, null, "header", $"cannot read the image header: {e.Message}", e);
        }
        if (info is not { } header)
            throw new InvalidFileException(sourceName, null, "format", "not a JPEG, BMP, GIF, TGA or PNG image StbImageSharp can read");
        if (header.Width < 1 || header.Height < 1)
            throw new InvalidFileException(sourceName, null, "width × height", $"{header.Width}x{header.Height} is not a valid image size");
        if ((long)header.Width * header.Height > limits.MaxImagePixels)
            throw new InvalidFileException(sourceName, null, "width × height",
                $"{header.Width}x{header.Height} is over the {limits.MaxImagePixels}-pixel limit (ReadLimits.MaxImagePixels); refused before decoding");
        bool gray = header.ColorComponents is ColorComponents.Grey or ColorComponents.GreyAlpha;
        stream.Position = start;
        if (FormatOf(Header(stream)) == "JPEG") RequireScan(stream, sourceName);
        stream.Position = start;
        ImageResult result;
        try { result = ImageResult.FromStream(stream, gray ? ColorComponents.Grey : ColorComponents.RedGreenBlue); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidFileException(sourceName, null, "image data", $"cannot decode the image: {e.Message}", e);
        }
        int channels = gray ? 1 : 3;
        // The header was checked; the decoded image must be the one it described.
        if (result.Width != header.Width || result.Height != header.Height || result.Data.Length != (long)result.Width * result.Height * channels)
            throw new InvalidFileException(sourceName, null, "image data", $"decoded {result.Width}x{result.Height} ({result.Data.Length} bytes), not the {header.Width}x{header.Height} of the header");
        return new PixelImage(result.Width, result.Height, channels, result.Data);
    }
}
