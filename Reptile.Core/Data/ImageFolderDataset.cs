using Reptile.IO;

namespace Reptile.Data;

/// <summary>
/// A dataset from <c>root/&lt;class&gt;/&lt;image&gt;</c> (the formats of the registered <see cref="ImageDecoders"/>:
/// PNG, and with Reptile.Images JPEG, BMP, GIF, TGA), values in [0, 1]: gray images resized nearest-neighbour
/// (supervised-reptile's preprocessing), colour images resized by area averaging.
/// </summary>
public static class ImageFolderDataset
{
    /// <summary>Loads every class folder under <paramref name="root"/>, each image converted to <paramref name="channels"/>
    /// (1: gray, PIL's luminance of colour files; 3: RGB, gray files repeated in each channel) and resized to
    /// <paramref name="height"/> × <paramref name="width"/> by <see cref="PixelImage.DefaultResize"/> (nearest for gray,
    /// area for colour).</summary>
    /// <exception cref="InvalidFileException">An image is not a supported image, is over <paramref name="limits"/>, or is not a regular file (a FIFO, a device).</exception>
    public static FewShotDataset Load(string root, int height, int width, int channels = 1, IProgress<(int done, int total)>? progress = null, ReadLimits? limits = null)
    {
        var checkedLimits = ReadLimits.Or(limits);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images have 1 (gray) or 3 (RGB) channels");
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image folder not found: {root}");

        var classDirs = Directory.GetDirectories(root).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new InvalidFileException(root, null, "class folders", $"none (expected {root}/<class>/<image>, images being {ImageDecoders.Extensions})");
        var files = new string[classDirs.Length][];
        for (int c = 0; c < classDirs.Length; c++)
        {
            files[c] = Directory.GetFiles(classDirs[c])
                .Where(ImageDecoders.IsImageFile)
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
            if (files[c].Length == 0) throw new InvalidFileException(classDirs[c], null, "images", $"the class folder holds no images ({ImageDecoders.Extensions})");
        }

        int total = files.Sum(f => f.Length), done = 0;
        progress?.Report((0, total));
        var classes = new FewShotClass[classDirs.Length];
        try
        {
            Parallel.For(0, classDirs.Length, c =>
            {
                int plane = height * width, imageLength = channels * plane;
                var pixels = new byte[files[c].Length * imageLength];
                var interleaved = new byte[imageLength];
                for (int i = 0; i < files[c].Length; i++)
                {
                    var img = ImageDecoders.Decode(files[c][i], checkedLimits).ToChannels(channels);
                    var image = pixels.AsSpan(i * imageLength, imageLength);
                    if (channels == 1)
                    {
                        NearestResize.Resize(img.Pixels, img.Width, NearestResize.SourceIndices(img.Height, height), NearestResize.SourceIndices(img.Width, width), image);
                        continue;
                    }
                    PixelImage.ResizeInto(img.Pixels, img.Width, img.Height, channels, width, height, PixelImage.DefaultResize(channels), interleaved);
                    // Stored planar, as CopyImage writes it.
                    for (int p = 0; p < plane; p++)
                        for (int ch = 0; ch < channels; ch++)
                            image[ch * plane + p] = interleaved[p * channels + ch];
                }
                classes[c] = new InMemoryClass(Path.GetFileName(classDirs[c]), channels, height, width, pixels, 1f / 255f);
                progress?.Report((Interlocked.Add(ref done, files[c].Length), total));
            });
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new FewShotDataset(classes, channels, height, width);
    }
}
