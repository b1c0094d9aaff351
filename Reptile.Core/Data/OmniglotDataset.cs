using System.IO.Compression;
using Reptile.IO;

namespace Reptile.Data;

/// <summary>
/// Loads Omniglot as supervised-reptile sees it: every drawing resized to 28×28 nearest-neighbour, pixels 1.0 for the
/// white background and 0.0 for ink (PIL's 1-bit image as float), classes in character-id order.
/// </summary>
public static class OmniglotDataset
{
    /// <summary>Side of the square images supervised-reptile trains on, in pixels (the drawings are 105×105).</summary>
    public const int Size = 28;

    /// <summary>File name of the background (training) alphabets in the npz form.</summary>
    public const string BackgroundNpz = "images_background.npz";
    /// <summary>File name of the evaluation alphabets in the npz form.</summary>
    public const string EvaluationNpz = "images_evaluation.npz";

    /// <summary>True for a character of the 30 background alphabets (Lake et al.'s training set: images_background, as
    /// npz, zip or folder), false for the 20 evaluation alphabets.</summary>
    public static bool IsBackground(FewShotClass character)
    {
        var name = (character is RotatedClass r ? r.Inner : character).Name.Replace('\\', '/');
        return name.StartsWith("images_background", StringComparison.Ordinal) || name.Contains("/images_background", StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads <paramref name="folder"/>: both .npz files if present, else every .zip of PNGs and every unpacked PNG
    /// tree in it (sources ordered by name, so images_background before images_evaluation).
    /// </summary>
    /// <exception cref="InvalidFileException">A file's content is bad or over <paramref name="limits"/> (the message names the file and entry).</exception>
    public static FewShotDataset Load(string folder, IProgress<(int done, int total)>? progress = null, ReadLimits? limits = null)
    {
        var checkedLimits = ReadLimits.Or(limits);
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Omniglot folder not found: {folder}");

        var background = Path.Combine(folder, BackgroundNpz);
        var evaluation = Path.Combine(folder, EvaluationNpz);
        if (File.Exists(background) || File.Exists(evaluation))
        {
            foreach (var f in new[] { background, evaluation })
                if (!File.Exists(f))
                    throw new FileNotFoundException($"{folder} holds one Omniglot .npz but not {Path.GetFileName(f)}; both {BackgroundNpz} and {EvaluationNpz} are needed.", f);
            return LoadNpz([background, evaluation], progress, checkedLimits);
        }

        var zips = Directory.GetFiles(folder, "*.zip").ToDictionary(z => Path.GetFileNameWithoutExtension(z), StringComparer.Ordinal);
        var sources = new SortedDictionary<string, Func<List<PngGroup>>>(StringComparer.Ordinal);
        foreach (var (key, zip) in zips) sources[key] = () => ListZip(zip, checkedLimits);
        foreach (var dir in Directory.GetDirectories(folder))
        {
            var key = Path.GetFileName(dir);
            // An unpacked copy of a zip that is also present would double the classes: the zip wins.
            if (zips.ContainsKey(key) || key == "__MACOSX") continue;
            sources[key] = () => ListTree(dir, key);
        }

        var groups = new List<PngGroup>();
        foreach (var list in sources.Values) groups.AddRange(list());
        if (groups.Count == 0)
            throw new FileNotFoundException(
                $"No Omniglot data in {folder}: expected {BackgroundNpz} + {EvaluationNpz}, or images_background.zip / images_evaluation.zip (or other zips of PNGs), or unpacked folders of <alphabet>/<character>/*.png.",
                folder);
        return DecodeGroups(groups, progress, checkedLimits);
    }

    private static FewShotDataset LoadNpz(string[] paths, IProgress<(int done, int total)>? progress, ReadLimits limits)
    {
        var archives = new NpzArchive[paths.Length];
        try
        {
            var headers = new NpyHeader[paths.Length];
            var streams = new Stream[paths.Length];
            for (int k = 0; k < paths.Length; k++)
            {
                archives[k] = NpzArchive.Open(paths[k], limits);
                if (!archives[k].Contains("images"))
                    throw new InvalidFileException(paths[k], null, "entries", $"no 'images' array (has: {string.Join(", ", archives[k].Names)}).");
                (headers[k], streams[k]) = archives[k].OpenData("images");
                RequireImagesShape(headers[k], archives[k].SourceOf("images"), limits);
            }
            int total = checked(headers.Sum(h => h.Shape[0] * h.Shape[1])); // each term was checked to fit
            int done = 0;
            progress?.Report((0, total));
            int firstId = 1;
            var perFile = new FewShotClass[paths.Length][];
            var ids = new int[paths.Length];
            for (int k = 0; k < paths.Length; k++) { ids[k] = firstId; firstId += headers[k].Shape[0]; }

            // The two archives inflate independently: one thread each.
            Parallel.For(0, paths.Length, k =>
            {
                var h = headers[k];
                int characters = h.Shape[0], drawings = h.Shape[1], height = h.Shape[2], width = h.Shape[3];
                var rows = NearestResize.SourceIndices(height, Size);
                var cols = NearestResize.SourceIndices(width, Size);
                var buffer = new byte[drawings * height * width];
                var classes = new FewShotClass[characters];
                string set = Path.GetFileNameWithoutExtension(paths[k]);
                for (int c = 0; c < characters; c++)
                {
                    archives[k].ReadData("images", h, streams[k], buffer);
                    var pixels = new byte[drawings * Size * Size];
                    for (int d = 0; d < drawings; d++)
                        NearestResize.Resize(buffer.AsSpan(d * height * width, height * width), width, rows, cols,
                            pixels.AsSpan(d * Size * Size, Size * Size));
                    for (int i = 0; i < pixels.Length; i++) pixels[i] = pixels[i] != 0 ? (byte)1 : (byte)0;
                    classes[c] = new InMemoryClass($"{set}/{ids[k] + c:D4}", Size, Size, pixels, 1f);
                    int now = Interlocked.Add(ref done, drawings);
                    progress?.Report((now, total));
                }
                perFile[k] = classes;
            });
            return new FewShotDataset(perFile.SelectMany(c => c).ToArray(), 1, Size, Size, PixelEncoding.Binary);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        finally
        {
            foreach (var a in archives) a?.Dispose();
        }
    }

    /// <summary>The 'images' array must be [characters, drawings, height, width] of bytes, none of them empty, and every
    /// size within the limits; then everything allocated from it is at most the entry's own size.</summary>
    private static void RequireImagesShape(NpyHeader h, FileSource source, ReadLimits limits)
    {
        if (h.Shape.Length != 4)
            throw source.Invalid("shape", $"expected [characters, drawings, height, width], got {ShapeSize.Format(h.Shape)}.");
        if (h.DType is not ("|b1" or "|u1" or "<u1"))
            throw source.Invalid("descr", $"expected bool or uint8 pixels, got {h.DType}.");
        if (h.Shape.Any(d => d == 0))
            throw source.Invalid("shape", $"{ShapeSize.Format(h.Shape)} has an empty dimension.");
        if (!ShapeSize.TryProduct(h.Shape.AsSpan(2), 1, out long pixels) || pixels > limits.MaxImagePixels)
            throw source.Invalid("shape", $"{h.Shape[2]}x{h.Shape[3]} images are over the {limits.MaxImagePixels}-pixel limit (ReadLimits.MaxImagePixels).");
        // Every drawing becomes 28×28 bytes: smaller ones would let a small file claim far more memory than it holds.
        if (pixels < Size * Size)
            throw source.Invalid("shape", $"{h.Shape[2]}x{h.Shape[3]} images have fewer pixels than the {Size}x{Size} the loader makes of each.");
        // One character's drawings are read at once; the drawing count is reported as an int.
        if (!ShapeSize.TryProduct(h.Shape.AsSpan(1), 1, out long perCharacter) || perCharacter > Math.Min(limits.MaxTensorBytes, Array.MaxLength)
            || !ShapeSize.TryProduct(h.Shape.AsSpan(0, 2), 1, out long drawings) || drawings > int.MaxValue)
            throw source.Invalid("shape", $"{ShapeSize.Format(h.Shape)} is too large to load one character at a time.");
    }

    /// <summary>One character folder's PNGs, in order.</summary>
    private sealed record PngGroup(string Name, PngFile[] Files);

    /// <summary>A PNG on disk (<paramref name="Entry"/> null) or entry number <paramref name="Index"/> of the zip at <paramref name="Path"/>.</summary>
    private sealed record PngFile(string Path, string? Entry = null, int Index = -1);

    private static List<PngGroup> ListZip(string path, ReadLimits limits)
    {
        using var zip = UntrustedZip.Open(path, "zip archive");
        var groups = zip.Entries
            .Select((e, index) => (e.FullName, Index: index))
            .Where(e => e.FullName.EndsWith(".png", StringComparison.OrdinalIgnoreCase) && !e.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal))
            .GroupBy(e => e.FullName.Contains('/') ? e.FullName[..e.FullName.LastIndexOf('/')] : "", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PngGroup(g.Key.Length == 0 ? Path.GetFileNameWithoutExtension(path) : g.Key,
                g.OrderBy(e => e.FullName[(e.FullName.LastIndexOf('/') + 1)..], StringComparer.Ordinal).Select(e => new PngFile(path, e.FullName, e.Index)).ToArray()))
            .ToList();
        if (groups.Count == 0) throw new InvalidFileException(path, null, "entries", "the zip holds no PNG images.");
        return groups;
    }

    private static List<PngGroup> ListTree(string dir, string key)
    {
        return Directory.EnumerateFiles(dir, "*.png", SearchOption.AllDirectories)
            .GroupBy(f => Path.GetDirectoryName(f)!, StringComparer.Ordinal)
            .Select(g => (Rel: Path.GetRelativePath(Path.GetDirectoryName(dir)!, g.Key).Replace('\\', '/'), Files: g.OrderBy(Path.GetFileName, StringComparer.Ordinal).ToArray()))
            .OrderBy(g => g.Rel, StringComparer.Ordinal)
            .Select(g => new PngGroup(g.Rel, g.Files.Select(f => new PngFile(f)).ToArray()))
            .ToList();
    }

    private static FewShotDataset DecodeGroups(List<PngGroup> groups, IProgress<(int done, int total)>? progress, ReadLimits limits)
    {
        int total = groups.Sum(g => g.Files.Length);
        int done = 0;
        progress?.Report((0, total));
        var classes = new FewShotClass[groups.Count];
        try
        {
            // A ZipArchive is not thread-safe: each worker opens the zips it needs once and decodes straight from
            // the entry streams, so no entry is held in memory whole.
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, groups.Count, 16),
                () => new Dictionary<string, ZipArchive>(StringComparer.Ordinal),
                (range, _, zips) =>
                {
                    for (int g = range.Item1; g < range.Item2; g++)
                    {
                        var group = groups[g];
                        var pixels = new byte[group.Files.Length * Size * Size];
                        for (int i = 0; i < group.Files.Length; i++)
                        {
                            var img = Decode(group.Files[i], zips, limits);
                            var rows = NearestResize.SourceIndices(img.Height, Size);
                            var cols = NearestResize.SourceIndices(img.Width, Size);
                            // Gray ≥ 128 is white, as PIL's 1-bit mode keeps it.
                            NearestResize.Resize(img.Gray, img.Width, rows, cols, pixels.AsSpan(i * Size * Size, Size * Size), v => v >= 128 ? (byte)1 : (byte)0);
                        }
                        classes[g] = new InMemoryClass(group.Name, Size, Size, pixels, 1f);
                        int now = Interlocked.Add(ref done, group.Files.Length);
                        progress?.Report((now, total));
                    }
                    return zips;
                },
                zips => { foreach (var z in zips.Values) z.Dispose(); });
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new FewShotDataset(classes, 1, Size, Size, PixelEncoding.Binary);
    }

    private static PngImage Decode(PngFile file, Dictionary<string, ZipArchive> zips, ReadLimits limits)
    {
        if (file.Entry == null) return PngDecoder.DecodeFile(file.Path, limits);
        if (!zips.TryGetValue(file.Path, out var zip)) zips[file.Path] = zip = UntrustedZip.Open(file.Path, "zip archive");
        var source = new FileSource(file.Path, file.Entry);
        using var stream = UntrustedZip.OpenEntry(zip.Entries[file.Index], source, limits);
        return PngDecoder.Decode(stream, source, limits);
    }
}
