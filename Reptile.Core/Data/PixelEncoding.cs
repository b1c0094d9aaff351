namespace Reptile.Data;

/// <summary>How 8-bit pixel values become a model's input values (each channel of a colour image alike).</summary>
public enum PixelEncoding
{
    /// <summary>value / 255, in [0, 1], per channel (<see cref="ImageFolderDataset"/>, gray or colour).</summary>
    Gray,
    /// <summary>1 where the value is at least 128, else 0: Omniglot as supervised-reptile reads it (PIL's 1-bit mode).</summary>
    Binary,
}
