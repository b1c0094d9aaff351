namespace Reptile.Data;

/// <summary>One class of a few-shot dataset: a set of same-sized grayscale images.</summary>
public abstract class FewShotClass
{
    /// <summary>The class's label, unique within its dataset (e.g. its folder name).</summary>
    public abstract string Name { get; }
    /// <summary>Number of images in the class.</summary>
    public abstract int ImageCount { get; }
    /// <summary>Image height in pixels (every image of the class has it).</summary>
    public abstract int Height { get; }
    /// <summary>Image width in pixels (every image of the class has it).</summary>
    public abstract int Width { get; }

    /// <summary>Writes image <paramref name="index"/> as Height·Width floats, row-major.</summary>
    public abstract void CopyImage(int index, Span<float> destination);

    /// <summary>
    /// Throws what <see cref="CopyImage"/> must throw for bad arguments; call it first in an implementation.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0,
    /// <see cref="ImageCount"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than Height·Width.</exception>
    protected void CheckCopyArguments(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)ImageCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"class '{Name}' has {ImageCount} images");
        if (destination.Length < Height * Width)
            throw new ArgumentException($"Destination holds {destination.Length} floats; an image needs {Height * Width}.", nameof(destination));
    }

    /// <summary>Name, image count and size, e.g. "circle (20 images 28x28)".</summary>
    public override string ToString() => $"{Name} ({ImageCount} images {Height}x{Width})";
}

/// <summary>Images held as one byte per pixel and converted to float (value · scale) on copy.</summary>
public sealed class InMemoryClass : FewShotClass
{
    private readonly byte[] pixels;
    private readonly float scale;

    /// <summary>A class whose images are the consecutive height·width blocks of <paramref name="pixels"/> (kept, not copied).</summary>
    /// <param name="name">The class's label.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="pixels">ImageCount·height·width bytes, image after image.</param>
    /// <param name="scale">Multiplier applied on copy (1 for 0/1 pixels, 1/255 for 8-bit gray).</param>
    /// <exception cref="ArgumentException">The bytes are not a whole number of images.</exception>
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

    /// <inheritdoc/>
    public override string Name { get; }
    /// <inheritdoc/>
    public override int ImageCount { get; }
    /// <inheritdoc/>
    public override int Height { get; }
    /// <inheritdoc/>
    public override int Width { get; }

    /// <summary>The stored bytes of one image (before scaling).</summary>
    public ReadOnlySpan<byte> RawImage(int index) => pixels.AsSpan(index * Height * Width, Height * Width);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0,
    /// <see cref="ImageCount"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than Height·Width.</exception>
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

    /// <summary>The classes, in the order tasks index them.</summary>
    public IReadOnlyList<FewShotClass> Classes { get; }
    /// <summary>How the images' 8-bit pixels became these values.</summary>
    public PixelEncoding Encoding { get; }
    /// <summary>Height of every image, in pixels.</summary>
    public int Height { get; }
    /// <summary>Width of every image, in pixels.</summary>
    public int Width { get; }

    /// <summary>Images over all classes.</summary>
    public int ImageCount => Classes.Sum(c => c.ImageCount);
}
