namespace Reptile.Data;

/// <summary>How 8-bit gray pixels become a model's input values.</summary>
public enum PixelEncoding
{
    /// <summary>value / 255, in [0, 1] (<see cref="ImageFolderDataset"/>).</summary>
    Gray,
    /// <summary>1 where the value is at least 128, else 0: Omniglot as supervised-reptile reads it (PIL's 1-bit mode).</summary>
    Binary,
}
