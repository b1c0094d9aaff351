namespace Reptile.Data;

/// <summary>One class of a few-shot dataset: a set of same-sized images of the same number of channels.</summary>
public abstract class FewShotClass
{
    /// <summary>The class's name (its folder's, for image folders).</summary>
    public abstract string Name { get; }
    /// <summary>How many images the class holds.</summary>
    public abstract int ImageCount { get; }
    /// <summary>Image height.</summary>
    public abstract int Height { get; }
    /// <summary>Image width.</summary>
    public abstract int Width { get; }
    /// <summary>Channels per pixel: 1 (gray, the default) or 3 (RGB).</summary>
    public virtual int Channels => 1;

    /// <summary>The floats one image takes: Channels · Height · Width.</summary>
    public int ImageLength => Channels * Height * Width;

    /// <summary>Writes image <paramref name="index"/> as Channels·Height·Width floats: planar (channel after channel,
    /// PyTorch's C, H, W order), each plane row-major.</summary>
    public abstract void CopyImage(int index, Span<float> destination);

    /// <summary>Throws when <paramref name="index"/> is not an image of this class or <paramref name="destination"/> is too short.</summary>
    protected void CheckCopyArguments(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)ImageCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"class '{Name}' has {ImageCount} images");
        if (destination.Length < ImageLength)
            throw new ArgumentException($"Destination holds {destination.Length} floats; an image needs {ImageLength}.", nameof(destination));
    }

    /// <inheritdoc/>
    public override string ToString() => Channels == 1 ? $"{Name} ({ImageCount} images {Height}x{Width})" : $"{Name} ({ImageCount} images {Channels}x{Height}x{Width})";
}

/// <summary>Images held as one byte per value and converted to float (value · scale) on copy.</summary>
public sealed class InMemoryClass : FewShotClass
{
    private readonly byte[] pixels;
    private readonly float scale;

    /// <summary>A gray class.</summary>
    /// <param name="name">The class's name.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="pixels">ImageCount·height·width bytes, image after image.</param>
    /// <param name="scale">Multiplier applied on copy (1 for 0/1 pixels, 1/255 for 8-bit gray).</param>
    public InMemoryClass(string name, int height, int width, byte[] pixels, float scale) : this(name, 1, height, width, pixels, scale)
    {
    }

    /// <summary>A class of <paramref name="channels"/>-channel images.</summary>
    /// <param name="name">The class's name.</param>
    /// <param name="channels">1 (gray) or 3 (RGB).</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="pixels">ImageCount·channels·height·width bytes, image after image, each planar (C, H, W: what
    /// <see cref="FewShotClass.CopyImage"/> writes, scaled).</param>
    /// <param name="scale">Multiplier applied on copy (1/255 for 8-bit values).</param>
    public InMemoryClass(string name, int channels, int height, int width, byte[] pixels, float scale)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images have 1 (gray) or 3 (RGB) channels");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (pixels.Length % (channels * height * width) != 0)
            throw new ArgumentException($"{pixels.Length} bytes is not a whole number of {channels}x{height}x{width} images.", nameof(pixels));
        Name = name;
        Channels = channels;
        Height = height;
        Width = width;
        this.pixels = pixels;
        this.scale = scale;
        ImageCount = pixels.Length / (channels * height * width);
    }

    /// <inheritdoc/>
    public override string Name { get; }
    /// <inheritdoc/>
    public override int ImageCount { get; }
    /// <inheritdoc/>
    public override int Height { get; }
    /// <inheritdoc/>
    public override int Width { get; }
    /// <inheritdoc/>
    public override int Channels { get; }

    /// <summary>The stored bytes of one image (before scaling), planar.</summary>
    public ReadOnlySpan<byte> RawImage(int index) => pixels.AsSpan(index * ImageLength, ImageLength);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0,
    /// <see cref="ImageCount"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than Height·Width.</exception>
    public override void CopyImage(int index, Span<float> destination)
    {
        CheckCopyArguments(index, destination);
        var src = RawImage(index);
        var values = destination[..src.Length];
        // Each byte converts to a float exactly, then one multiply: the values a scalar loop gives, 16 at a time.
        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<byte, float>(src, values);
        System.Numerics.Tensors.TensorPrimitives.Multiply(values, scale, values);
    }
}

/// <summary>A list of classes whose images all share one size.</summary>
public sealed class FewShotDataset
{
    /// <summary>A dataset of gray images whose values are 8-bit pixels / 255 (<see cref="PixelEncoding.Gray"/>).</summary>
    /// <param name="classes">The classes.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    public FewShotDataset(IReadOnlyList<FewShotClass> classes, int height, int width)
        : this(classes, 1, height, width)
    {
    }

    /// <param name="classes">The classes.</param>
    /// <param name="channels">Channels per pixel (1 or 3); every class must have them.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="encoding">How the images' 8-bit values became these values (checkpoints record it, so a classifier
    /// encodes new images the same way).</param>
    public FewShotDataset(IReadOnlyList<FewShotClass> classes, int channels, int height, int width, PixelEncoding encoding = PixelEncoding.Gray)
    {
        ArgumentNullException.ThrowIfNull(classes);
        foreach (var c in classes)
            if (c.Height != height || c.Width != width || c.Channels != channels)
                throw new ArgumentException($"Class '{c.Name}' has {c.Channels}x{c.Height}x{c.Width} images; the dataset is {channels}x{height}x{width}.", nameof(classes));
        Classes = classes;
        Channels = channels;
        Height = height;
        Width = width;
        Encoding = encoding;
    }

    /// <summary>A dataset of at least one class, sized by its first class.</summary>
    public FewShotDataset(IReadOnlyList<FewShotClass> classes)
        : this(classes, classes.Count > 0 ? classes[0].Channels : throw new ArgumentException("No classes.", nameof(classes)), classes[0].Height, classes[0].Width)
    {
    }

    /// <summary>The classes.</summary>
    public IReadOnlyList<FewShotClass> Classes { get; }
    /// <summary>How the images' 8-bit pixels became these values.</summary>
    public PixelEncoding Encoding { get; }
    /// <summary>Channels per pixel: 1 (gray) or 3 (RGB).</summary>
    public int Channels { get; }
    /// <summary>Image height.</summary>
    public int Height { get; }
    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Images over all classes.</summary>
    public int ImageCount => Classes.Sum(c => c.ImageCount);
}
