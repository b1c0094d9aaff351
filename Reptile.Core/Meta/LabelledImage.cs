using Reptile.Data;
using Reptile.IO;

namespace Reptile.Meta;

/// <summary>A support example: an image and its label (any string; the labels of a support set name its classes).</summary>
public sealed record LabelledImage(string Label, PixelImage Image)
{
    /// <summary>The PNG at <paramref name="path"/>, labelled <paramref name="label"/>.</summary>
    public static LabelledImage Load(string label, string path, ReadLimits? limits = null) => new(label, PixelImage.Load(path, limits));
}
