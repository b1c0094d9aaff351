namespace Reptile.Data;

/// <summary>One class of a few-shot dataset: a set of same-sized grayscale images.</summary>
public abstract class FewShotClass
{
    public abstract string Name { get; }
    public abstract int ImageCount { get; }
    public abstract int Height { get; }
    public abstract int Width { get; }

    /// <summary>Writes image <paramref name="index"/> as Height·Width floats, row-major.</summary>
    public abstract void CopyImage(int index, Span<float> destination);

    protected void CheckCopyArguments(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)ImageCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"class '{Name}' has {ImageCount} images");
        if (destination.Length < Height * Width)
            throw new ArgumentException($"Destination holds {destination.Length} floats; an image needs {Height * Width}.", nameof(destination));
    }

    public override string ToString() => $"{Name} ({ImageCount} images {Height}x{Width})";
}

/// <summary>Images held as one byte per pixel and converted to float (value · scale) on copy.</summary>
public sealed class InMemoryClass : FewShotClass
{
    private readonly byte[] pixels;
    private readonly float scale;

    /// <param name="pixels">ImageCount·height·width bytes, image after image.</param>
    /// <param name="scale">Multiplier applied on copy (1 for 0/1 pixels, 1/255 for 8-bit gray).</param>
    public InMemoryClass(string name, int height, int width, byte[] pixels, float scale)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (pixels.Length % (height * width) != 0)
            throw new ArgumentException($"{pixels.Length} bytes is not a whole number of {height}x{width} images.", nameof(pixels));
        Name = name;
        Height = height;
        Width = width;
        this.pixels = pixels;
        this.scale = scale;
        ImageCount = pixels.Length / (height * width);
    }

    public override string Name { get; }
    public override int ImageCount { get; }
    public override int Height { get; }
    public override int Width { get; }

    /// <summary>The stored bytes of one image (before scaling).</summary>
    public ReadOnlySpan<byte> RawImage(int index) => pixels.AsSpan(index * Height * Width, Height * Width);

    public override void CopyImage(int index, Span<float> destination)
    {
        CheckCopyArguments(index, destination);
        var src = RawImage(index);
        for (int i = 0; i < src.Length; i++) destination[i] = src[i] * scale;
    }
}

/// <summary>A list of classes whose images all share one size.</summary>
public sealed class FewShotDataset
{
    /// <param name="classes">The classes.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="encoding">How the images' 8-bit pixels became these values (checkpoints record it, so a classifier
    /// encodes new images the same way).</param>
    public FewShotDataset(IReadOnlyList<FewShotClass> classes, int height, int width, PixelEncoding encoding = PixelEncoding.Gray)
    {
        ArgumentNullException.ThrowIfNull(classes);
        foreach (var c in classes)
            if (c.Height != height || c.Width != width)
                throw new ArgumentException($"Class '{c.Name}' has {c.Height}x{c.Width} images; the dataset is {height}x{width}.", nameof(classes));
        Classes = classes;
        Height = height;
        Width = width;
        Encoding = encoding;
    }

    /// <summary>A dataset of at least one class, sized by its first class.</summary>
    public FewShotDataset(IReadOnlyList<FewShotClass> classes)
        : this(classes, classes.Count > 0 ? classes[0].Height : throw new ArgumentException("No classes.", nameof(classes)), classes[0].Width)
    {
    }

    public IReadOnlyList<FewShotClass> Classes { get; }
    /// <summary>How the images' 8-bit pixels became these values.</summary>
    public PixelEncoding Encoding { get; }
    public int Height { get; }
    public int Width { get; }

    public int ImageCount => Classes.Sum(c => c.ImageCount);
}
