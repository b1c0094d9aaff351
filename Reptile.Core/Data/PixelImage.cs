using Reptile.IO;

namespace Reptile.Data;

/// <summary>
/// An 8-bit gray image (row-major, <see cref="Width"/> · <see cref="Height"/> bytes), as the engine's image pipeline
/// reads it: from a PNG file (colour is reduced to luminance as PIL's convert("L") does) or from pixels an app already
/// has. <see cref="Resize"/> and <see cref="Encode"/> are the preprocessing the training data went through.
/// </summary>
public sealed class PixelImage
{
    private readonly byte[] gray;

    /// <summary>An image of the given gray values (copied).</summary>
    /// <exception cref="ArgumentException">The values are not <paramref name="width"/> · <paramref name="height"/> bytes.</exception>
    public PixelImage(int width, int height, ReadOnlySpan<byte> gray)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (gray.Length != (long)width * height)
            throw new ArgumentException($"A {width}×{height} image needs {(long)width * height} gray values, got {gray.Length}.", nameof(gray));
        (Width, Height, this.gray) = (width, height, gray.ToArray());
    }

    private PixelImage(int width, int height, byte[] owned) => (Width, Height, gray) = (width, height, owned);

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The gray values, row-major.</summary>
    public ReadOnlySpan<byte> Gray => gray;

    /// <summary>Reads a PNG file (untrusted: a bad file is an <see cref="InvalidFileException"/> naming it).</summary>
    public static PixelImage Load(string path, ReadLimits? limits = null)
    {
        var png = PngDecoder.DecodeFile(path, limits);
        return new PixelImage(png.Width, png.Height, png.Gray);
    }

    /// <summary>This image resized to <paramref name="width"/> × <paramref name="height"/> by nearest neighbour, as PIL
    /// does it (the training data's preprocessing; this image itself when the size already matches).</summary>
    public PixelImage Resize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width == Width && height == Height) return this;
        var resized = new byte[width * height];
        NearestResize.Resize(gray, Width, NearestResize.SourceIndices(Height, height), NearestResize.SourceIndices(Width, width), resized);
        return new PixelImage(width, height, resized);
    }

    /// <summary>Writes the model's input values for this image into <paramref name="destination"/> (Width · Height floats).</summary>
    public void Encode(PixelEncoding encoding, Span<float> destination)
    {
        if (destination.Length < gray.Length)
            throw new ArgumentException($"Destination holds {destination.Length} floats; the image has {gray.Length} pixels.", nameof(destination));
        for (int i = 0; i < gray.Length; i++)
            destination[i] = encoding == PixelEncoding.Binary ? (gray[i] >= 128 ? 1f : 0f) : gray[i] * (1f / 255f); // as ImageFolderDataset scales
    }
}
