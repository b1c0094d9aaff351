using Reptile.IO;

namespace Reptile.Data;

/// <summary>The engine's own PNG decoder (<see cref="PngDecoder"/>) as an <see cref="IImageDecoder"/>: every
/// non-interlaced PNG. It declines interlaced files, so that a decoder registered after it (Reptile.Images) can take them.</summary>
public sealed class PngImageDecoder : IImageDecoder
{
    /// <summary>The one instance (the decoder has no state).</summary>
    public static PngImageDecoder Instance { get; } = new();

    private PngImageDecoder()
    {
    }

    /// <inheritdoc/>
    public string Name => "PNG";

    /// <inheritdoc/>
    public IReadOnlyList<string> FileExtensions { get; } = [".png"];

    /// <inheritdoc/>
    /// <remarks>A PNG's signature, and an interlace method of 0 when the header holds the first IHDR (byte 28);
    /// anything else that starts like a PNG is left to <see cref="Decode"/> to report.</remarks>
    public bool CanDecode(ReadOnlySpan<byte> header)
    {
        ReadOnlySpan<byte> signature = [137, 80, 78, 71, 13, 10, 26, 10];
        if (!header.StartsWith(signature)) return false;
        bool firstChunkIsHeader = header.Length > 28 && header[12..16].SequenceEqual("IHDR"u8);
        return !firstChunkIsHeader || header[28] != 1;
    }

    /// <inheritdoc/>
    public PixelImage Decode(Stream stream, string sourceName, ReadLimits limits) => PngDecoder.DecodePixels(stream, sourceName, limits);
}
