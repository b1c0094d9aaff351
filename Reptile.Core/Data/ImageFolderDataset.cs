using Reptile.IO;

namespace Reptile.Data;

/// <summary>A dataset from <c>root/&lt;class&gt;/&lt;image&gt;.png</c>: gray, resized nearest-neighbour, values in [0, 1].</summary>
public static class ImageFolderDataset
{
    /// <summary>Loads every class folder under <paramref name="root"/>, resizing each image to <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="InvalidFileException">An image is not a supported PNG, is over <paramref name="limits"/>, or is not a regular file (a FIFO, a device).</exception>
    public static FewShotDataset Load(string root, int height, int width, IProgress<(int done, int total)>? progress = null, ReadLimits? limits = null)
    {
        var checkedLimits = ReadLimits.Or(limits);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image folder not found: {root}");

        var classDirs = Directory.GetDirectories(root).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new InvalidFileException(root, null, "class folders", $"none (expected {root}/<class>/<image>.png)");
        var files = new string[classDirs.Length][];
        for (int c = 0; c < classDirs.Length; c++)
        {
            files[c] = Directory.GetFiles(classDirs[c])
                .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
            if (files[c].Length == 0) throw new InvalidFileException(classDirs[c], null, "images", "the class folder holds no .png images");
        }

        int total = files.Sum(f => f.Length), done = 0;
        progress?.Report((0, total));
        var classes = new FewShotClass[classDirs.Length];
        try
        {
            Parallel.For(0, classDirs.Length, c =>
            {
                var pixels = new byte[files[c].Length * height * width];
                for (int i = 0; i < files[c].Length; i++)
                {
                    var img = PngDecoder.DecodeFile(files[c][i], checkedLimits);
                    NearestResize.Resize(img.Gray, img.Width, NearestResize.SourceIndices(img.Height, height),
                        NearestResize.SourceIndices(img.Width, width), pixels.AsSpan(i * height * width, height * width));
                }
                classes[c] = new InMemoryClass(Path.GetFileName(classDirs[c]), height, width, pixels, 1f / 255f);
                progress?.Report((Interlocked.Add(ref done, files[c].Length), total));
            });
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new FewShotDataset(classes, height, width);
    }
}
