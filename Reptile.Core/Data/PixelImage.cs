using Reptile.IO;

namespace Reptile.Data;

/// <summary>
/// An 8-bit image of 1 (gray) or 3 (red, green, blue) channels, stored interleaved and row-major as decoders give
/// it (pixel (r, c)'s channel k at (r·Width + c)·Channels + k), as the engine's image pipeline reads it: from a file
/// (<see cref="Load(string, int?, ReadLimits?)"/> keeps the file's colour) or from pixels an app already has.
/// <see cref="ToGray"/> / <see cref="ToRgb"/> convert on demand; <see cref="Resize(int, int)"/> and
/// <see cref="Encode"/> are the preprocessing the training data went through (<see cref="Encode"/> writes planar
/// C·H·W floats, PyTorch's channel order).
/// </summary>
public sealed class PixelImage
{
    private readonly byte[] pixels;

    /// <summary>A gray image of the given values (copied).</summary>
    /// <exception cref="ArgumentException">The values are not <paramref name="width"/> · <paramref name="height"/> bytes.</exception>
    public PixelImage(int width, int height, ReadOnlySpan<byte> gray) : this(width, height, 1, gray)
    {
    }

    /// <summary>An image of <paramref name="channels"/> (1 or 3) interleaved 8-bit channels per pixel (copied).</summary>
    /// <exception cref="ArgumentException">The values are not width · height · channels bytes.</exception>
    public PixelImage(int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CheckChannels(channels);
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"A {width}×{height} image of {channels} channel(s) needs {(long)width * height * channels} values, got {pixels.Length}.", nameof(pixels));
        (Width, Height, Channels, this.pixels) = (width, height, channels, pixels.ToArray());
    }

    private PixelImage(int width, int height, int channels, byte[] owned) => (Width, Height, Channels, pixels) = (width, height, channels, owned);

    /// <summary>Takes <paramref name="owned"/> without copying (decoders hand over their buffers).</summary>
    internal static PixelImage Own(int width, int height, int channels, byte[] owned) => new(width, height, channels, owned);

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 for gray, 3 for red, green, blue.</summary>
    public int Channels { get; }

    /// <summary>The values, interleaved and row-major (Width · Height · Channels bytes).</summary>
    public ReadOnlySpan<byte> Pixels => pixels;

    /// <summary>The gray values, row-major: this image's own for a gray image, else its luminance (<see cref="ToGray"/>).</summary>
    public ReadOnlySpan<byte> Gray => Channels == 1 ? pixels : ToGray().pixels;

    /// <summary>Reads an image file through the registered decoders (<see cref="ImageDecoders"/>: PNG by default;
    /// Reptile.Images adds JPEG, BMP, GIF, TGA and interlaced PNG), keeping its colour: 1 channel for a gray file, 3
    /// for a colour one (alpha is dropped). The file is untrusted: a bad one is an <see cref="InvalidFileException"/>
    /// naming it.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="channels">Convert to this many channels (1 or 3); null keeps the file's.</param>
    /// <param name="limits">Read limits (default: <see cref="ReadLimits.Default"/>).</param>
    public static PixelImage Load(string path, int? channels = null, ReadLimits? limits = null)
    {
        var image = ImageDecoders.Decode(path, limits);
        return channels is { } c ? image.ToChannels(c) : image;
    }

    /// <summary>This image as gray: a colour image's luminance with ITU-R 601-2 weights in PIL's fixed point
    /// (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, as convert("L")); a gray image itself.</summary>
    public PixelImage ToGray()
    {
        if (Channels == 1) return this;
        var gray = new byte[Width * Height];
        for (int i = 0; i < gray.Length; i++) gray[i] = Luma(pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]);
        return new PixelImage(Width, Height, 1, gray);
    }

    /// <summary>This image as red, green, blue: a gray value is repeated in each channel; a colour image itself.</summary>
    public PixelImage ToRgb()
    {
        if (Channels == 3) return this;
        var rgb = new byte[Width * Height * 3];
        for (int i = 0; i < pixels.Length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = pixels[i];
        return new PixelImage(Width, Height, 3, rgb);
    }

    /// <summary><see cref="ToGray"/> for 1, <see cref="ToRgb"/> for 3.</summary>
    public PixelImage ToChannels(int channels)
    {
        CheckChannels(channels);
        return channels == 1 ? ToGray() : ToRgb();
    }

    /// <summary>This image resized to <paramref name="width"/> × <paramref name="height"/> the way the engine's
    /// training data is: nearest neighbour for gray images (as PIL does it: supervised-reptile's preprocessing), area
    /// averaging for colour ones (<see cref="ResizeMethod.Area"/>: photographs shrink without aliasing). This image
    /// itself when the size already matches.</summary>
    public PixelImage Resize(int width, int height) => Resize(width, height, DefaultResize(Channels));

    /// <summary>This image resized by <paramref name="method"/> (this image itself when the size already matches).</summary>
    public PixelImage Resize(int width, int height, ResizeMethod method)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width == Width && height == Height) return this;
        var resized = new byte[width * height * Channels];
        ResizeInto(pixels, Width, Height, Channels, width, height, method, resized);
        return new PixelImage(width, height, Channels, resized);
    }

    /// <summary>The resizing the engine's image datasets use for images of <paramref name="channels"/>: nearest for
    /// gray (bit-identical to supervised-reptile's preprocessing), area averaging for colour.</summary>
    public static ResizeMethod DefaultResize(int channels) => channels == 1 ? ResizeMethod.Nearest : ResizeMethod.Area;

    /// <summary>Resizes interleaved pixels into <paramref name="destination"/> (interleaved, destination size).</summary>
    internal static void ResizeInto(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, int channels,
        int width, int height, ResizeMethod method, Span<byte> destination)
    {
        if (method == ResizeMethod.Nearest)
        {
            if (channels == 1)
            {
                NearestResize.Resize(source, sourceWidth, NearestResize.SourceIndices(sourceHeight, height), NearestResize.SourceIndices(sourceWidth, width), destination);
                return;
            }
            var rows = NearestResize.SourceIndices(sourceHeight, height);
            var cols = NearestResize.SourceIndices(sourceWidth, width);
            int k = 0;
            foreach (var r in rows)
                foreach (var c in cols)
                    for (int ch = 0; ch < channels; ch++)
                        destination[k++] = source[(r * sourceWidth + c) * channels + ch];
            return;
        }
        AreaResize.Resize(source, sourceWidth, sourceHeight, channels, width, height, destination);
    }

    /// <summary>Writes the model's input values for this image into <paramref name="destination"/>: Channels · Height ·
    /// Width floats, planar (all of channel 0, then channel 1, …: PyTorch's C, H, W order), each value encoded by
    /// <paramref name="encoding"/> (<see cref="PixelEncoding.Gray"/>: value / 255 per channel).</summary>
    public void Encode(PixelEncoding encoding, Span<float> destination)
    {
        if (destination.Length < pixels.Length)
            throw new ArgumentException($"Destination holds {destination.Length} floats; the image has {pixels.Length} values.", nameof(destination));
        int plane = Width * Height;
        for (int i = 0; i < plane; i++)
            for (int ch = 0; ch < Channels; ch++)
            {
                byte v = pixels[i * Channels + ch];
                destination[ch * plane + i] = encoding == PixelEncoding.Binary ? (v >= 128 ? 1f : 0f) : v * (1f / 255f); // as ImageFolderDataset scales
            }
    }

    private static void CheckChannels(int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images have 1 (gray) or 3 (RGB) channels");
    }

    /// <summary>PIL's convert("L") in fixed point; 16-bit samples are reduced to their high byte before this.</summary>
    internal static byte Luma(int r, int g, int b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}
