using Reptile.IO;

namespace Reptile.Data;

/// <summary>
/// The image decoders the engine reads files with, chosen per file by its first bytes (not its name): the first
/// registered decoder whose <see cref="IImageDecoder.CanDecode"/> accepts them. Core registers its own PNG decoder;
/// Reptile.Images registers JPEG, BMP, GIF, TGA and interlaced PNG (<c>ReptileImages.Register()</c>). Registration is
/// process-wide and thread-safe; reading takes a snapshot.
/// </summary>
public static class ImageDecoders
{
    private static IImageDecoder[] registered = [PngImageDecoder.Instance];
    private static readonly object writeLock = new();

    /// <summary>How many bytes of a file <see cref="IImageDecoder.CanDecode"/> sees (enough for a PNG's IHDR).</summary>
    public const int HeaderLength = 64;

    /// <summary>The decoders in the order they are asked.</summary>
    public static IReadOnlyList<IImageDecoder> Registered => Volatile.Read(ref registered);

    /// <summary>Adds <paramref name="decoder"/> after those registered (once: registering it again changes nothing).</summary>
    public static void Register(IImageDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        lock (writeLock)
        {
            if (Array.IndexOf(registered, decoder) >= 0) return;
            Volatile.Write(ref registered, [.. registered, decoder]);
        }
    }

    /// <summary>Whether a file's name ends in an extension some registered decoder reads (how image folders are listed).</summary>
    public static bool IsImageFile(string path) =>
        Registered.Any(d => d.FileExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The extensions the registered decoders read, for messages (".png, .jpg").</summary>
    public static string Extensions => string.Join(", ", Registered.SelectMany(d => d.FileExtensions).Distinct());

    /// <summary>Decodes the image file at <paramref name="path"/> (a regular file; FIFOs and devices are refused
    /// unopened) with the first registered decoder that reads its format.</summary>
    /// <exception cref="InvalidFileException">No registered decoder reads it, or it is bad, or over <paramref name="limits"/>.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static PixelImage Decode(string path, ReadLimits? limits = null)
    {
        var checkedLimits = ReadLimits.Or(limits);
        using var stream = UntrustedFile.OpenRead(path, "image file");
        Span<byte> header = stackalloc byte[HeaderLength];
        int length = StreamReading.ReadFully(stream, header, new FileSource(path), "header");
        stream.Position = 0;
        var decoders = Registered;
        foreach (var decoder in decoders)
            if (decoder.CanDecode(header[..length]))
                return decoder.Decode(stream, path, checkedLimits);
        // A PNG none accepts (interlaced, without Reptile.Images): the PNG decoder says exactly why it cannot.
        if (length >= 8 && header.StartsWith((ReadOnlySpan<byte>)[137, 80, 78, 71, 13, 10, 26, 10]))
            return PngDecoder.DecodePixels(stream, path, checkedLimits);
        throw new InvalidFileException(path, null, "format",
            $"not an image format of the registered decoders ({string.Join(", ", decoders.Select(d => d.Name))})" +
            (decoders.Count == 1 ? "; reference Reptile.Images and call ReptileImages.Register() for JPEG, BMP, GIF, TGA and interlaced PNG" : ""));
    }
}
