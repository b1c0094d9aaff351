namespace Reptile.Data;

/// <summary>How <see cref="PixelImage.Resize(int, int, ResizeMethod)"/> computes each output pixel.</summary>
public enum ResizeMethod
{
    /// <summary>The source pixel at floor((i + 0.5)·source/destination), as PIL's NEAREST: the paper's preprocessing of
    /// Omniglot, and the engine's choice for gray images.</summary>
    Nearest,

    /// <summary>The mean of the source area the output pixel covers, partly covered pixels weighted by their covered
    /// fraction (OpenCV's INTER_AREA, PIL's BOX filter), rounded to the nearest integer: no aliasing when shrinking a
    /// photograph; when enlarging, pixels that straddle a source edge blend its two sides. The engine's choice for
    /// colour images.</summary>
    Area,
}
