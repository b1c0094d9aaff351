using Reptile.IO;

namespace Reptile.Data;

/// <summary>
/// A source of images in one or more file formats, for <see cref="ImageDecoders"/>. Files are untrusted: an
/// implementation checks the image size from the header against <see cref="ReadLimits.MaxImagePixels"/> before it
/// allocates or decodes pixels, and reports any bad input as an <see cref="InvalidFileException"/> naming the source
/// and the field.
/// </summary>
public interface IImageDecoder
{
    /// <summary>A short name for messages, e.g. "PNG".</summary>
    string Name { get; }

    /// <summary>The file name endings this decoder reads, lower case with the dot (".png"): image folders are
    /// listed by them.</summary>
    IReadOnlyList<string> FileExtensions { get; }

    /// <summary>Whether this decoder reads a file that starts with <paramref name="header"/> (its first
    /// <see cref="ImageDecoders.HeaderLength"/> bytes, fewer for a shorter file).</summary>
    bool CanDecode(ReadOnlySpan<byte> header);

    /// <summary>Decodes the image in <paramref name="stream"/> (positioned at its start) to 1 channel (gray) or 3
    /// (RGB), dropping alpha.</summary>
    /// <param name="stream">The image's bytes.</param>
    /// <param name="sourceName">Names the source in errors.</param>
    /// <param name="limits">The limits to enforce before decoding.</param>
    /// <exception cref="InvalidFileException">A bad image, or one over <paramref name="limits"/>.</exception>
    PixelImage Decode(Stream stream, string sourceName, ReadLimits limits);
}
