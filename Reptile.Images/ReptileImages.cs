using Reptile.Data;

namespace Reptile.Images;

/// <summary>Makes the engine read JPEG, BMP, GIF, TGA and interlaced PNG: call <see cref="Register"/> once at start-up.</summary>
public static class ReptileImages
{
    /// <summary>Registers <see cref="StbImageDecoder"/> with <see cref="ImageDecoders"/>, after Core's PNG decoder (which
    /// keeps every non-interlaced PNG). Safe to call more than once.</summary>
    public static void Register() => ImageDecoders.Register(StbImageDecoder.Instance);
}
