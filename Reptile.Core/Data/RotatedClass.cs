namespace Reptile.Data;

/// <summary>A square class seen rotated counter-clockwise by a multiple of 90° (PIL's Image.rotate direction), permuted on copy.</summary>
public sealed class RotatedClass : FewShotClass
{
    private readonly FewShotClass inner;

    /// <paramref name="inner"/>'s images turned counter-clockwise by <paramref name="degrees"/> (0, 90, 180 or 270).
    /// <exception cref="ArgumentOutOfRangeException">Another angle.</exception>
    /// <exception cref="ArgumentException">A 90° or 270° turn of non-square images.</exception>
    public RotatedClass(FewShotClass inner, int degrees)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (degrees is not (0 or 90 or 180 or 270))
            throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "must be 0, 90, 180 or 270");
        if (degrees % 180 != 0 && inner.Height != inner.Width)
            throw new ArgumentException($"Class '{inner.Name}' is {inner.Height}x{inner.Width}; 90° rotations need square images.", nameof(inner));
        this.inner = inner;
        Degrees = degrees;
    }

    /// <summary>The counter-clockwise rotation: 0, 90, 180 or 270.</summary>
    public int Degrees { get; }
    /// <summary>The class whose images are rotated.</summary>
    public FewShotClass Inner => inner;
    /// <summary>
    /// The inner class's name, with "@90" (etc.) appended unless the rotation is 0, so each rotation is a class of
    /// its own.
    /// </summary>
    public override string Name => Degrees == 0 ? inner.Name : $"{inner.Name}@{Degrees}";
    /// <inheritdoc/>
    public override int ImageCount => inner.ImageCount;
    /// <inheritdoc/>
    public override int Height => inner.Height;
    /// <inheritdoc/>
    public override int Width => inner.Width;
    /// <inheritdoc/>
    public override int Channels => inner.Channels;

    /// <summary>
    /// Writes image <paramref name="index"/> of the inner class, rotated, as Height·Width floats, row-major.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0,
    /// <see cref="ImageCount"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than Height·Width.</exception>
    public override void CopyImage(int index, Span<float> destination)
    {
        CheckCopyArguments(index, destination);
        if (Degrees == 0)
        {
            inner.CopyImage(index, destination);
            return;
        }
        int h = Height, w = Width, n = h * w, total = ImageLength;
        float[]? rented = total > 4096 ? System.Buffers.ArrayPool<float>.Shared.Rent(total) : null;
        Span<float> all = rented != null ? rented.AsSpan(0, total) : stackalloc float[total];
        try
        {
            inner.CopyImage(index, all);
            // Each channel's plane rotates on its own (through pointers: a task copies hundreds of images on the
            // training thread while the others wait).
            unsafe
            {
                fixed (float* from = all, to = destination)
                    for (int ch = 0; ch < Channels; ch++)
                        Rotate(from + ch * n, to + ch * n, h, w, Degrees);
            }
        }
        finally
        {
            if (rented != null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>One h×w plane turned counter-clockwise by 90, 180 or 270 degrees (90 and 270: square planes).</summary>
    private static unsafe void Rotate(float* src, float* dst, int h, int w, int degrees)
    {
        int n = h * w;
        switch (degrees)
        {
            case 90: // out[r, c] = in[c, w-1-r]
                for (int r = 0; r < h; r++)
                {
                    float* row = dst + r * w, column = src + (w - 1 - r);
                    for (int c = 0; c < w; c++) row[c] = column[c * w];
                }
                break;
            case 180:
                for (int i = 0; i < n; i++) dst[i] = src[n - 1 - i];
                break;
            default: // 270: out[r, c] = in[w-1-c, r]
                for (int r = 0; r < h; r++)
                {
                    float* row = dst + r * w, column = src + (w - 1) * w + r;
                    for (int c = 0; c < w; c++) row[c] = column[-c * w];
                }
                break;
        }
    }
}
