using Reptile.Data;
using Reptile.IO;

namespace Reptile.Meta;

/// <summary>A support example: an image and its label (any string; the labels of a support set name its classes).</summary>
/// <param name="Label">The class the image belongs to.</param>
/// <param name="Image">The example image (any size: it is resized to the model's input).</param>
public sealed record LabelledImage(string Label, PixelImage Image)
{
    /// <summary>The image at <paramref name="path"/> (as <see cref="PixelImage.Load(string, int?, ReadLimits?)"/> reads it), labelled <paramref name="label"/>.</summary>
    public static LabelledImage Load(string label, string path, ReadLimits? limits = null) => new(label, PixelImage.Load(path, limits: limits));

    /// <summary>A support set laid out as <c>root/&lt;label&gt;/&lt;image&gt;</c> (labels and images in name order; images
    /// are the files the registered <see cref="ImageDecoders"/> read, PNG by default).</summary>
    /// <exception cref="InvalidFileException">No label folders, or a label folder without images, or a bad image.</exception>
    public static IReadOnlyList<LabelledImage> LoadFolder(string root, ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Support folder not found: {root}");
        var labels = Directory.GetDirectories(root).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (labels.Length == 0)
            throw new InvalidFileException(root, null, "label folders", $"none (expected {root}/<label>/<image>.png, one folder per label)");
        var examples = new List<LabelledImage>();
        foreach (var folder in labels)
        {
            var files = Directory.GetFiles(folder).Where(ImageDecoders.IsImageFile)
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new InvalidFileException(folder, null, "images", $"the label folder holds no images ({ImageDecoders.Extensions})");
            examples.AddRange(files.Select(f => Load(Path.GetFileName(folder), f, limits)));
        }
        return examples;
    }
}
