namespace Reptile.Autograd;

/// <summary>How a 4-d activation is laid out in memory. The logical shape is always PyTorch's NCHW.</summary>
public enum TensorLayout
{
    /// <summary>Row-major in the order of the shape (NCHW for images).</summary>
    RowMajor,
    /// <summary>[C][N][H][W]: each channel's values for the whole batch are contiguous, so a convolution is one
    /// GEMM over the batch and batch norm reduces contiguous blocks.</summary>
    ChannelMajor,
}

/// <summary>
/// A view of values (and optionally their gradients) in flat float buffers. Parameters are views into a
/// model's single parameter buffer; activations own buffers that grow to the largest batch seen and are
/// then reused, so a training step allocates nothing.
/// </summary>
public sealed class Tensor
{
    private int[] shape;

    /// <summary>
    /// The buffer holding the values, from <see cref="Offset"/> on (a parameter's buffer is the whole model's).
    /// </summary>
    public float[] Data { get; private set; }
    /// <summary>Where this tensor's values start in <see cref="Data"/>.</summary>
    public int Offset { get; }
    /// <summary>
    /// The gradient buffer, laid out as <see cref="Data"/>, or null when the tensor does not track gradients.
    /// </summary>
    public float[]? GradData { get; private set; }
    /// <summary>
    /// How the values are laid out in memory; the logical <see cref="Shape"/> does not change with it.
    /// </summary>
    public TensorLayout Layout { get; set; }

    /// <summary>The logical shape (NCHW for images, whatever the layout).</summary>
    public ReadOnlySpan<int> Shape => shape;
    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;
    /// <summary>Number of values: the product of the dimensions.</summary>
    public int Length { get; private set; }
    /// <summary>Whether the tensor has a gradient buffer (parameters and recorded ops' outputs do).</summary>
    public bool RequiresGrad => GradData != null;

    /// <summary>The values, <see cref="Length"/> floats from <see cref="Offset"/> of <see cref="Data"/>.</summary>
    public Span<float> Values => Data.AsSpan(Offset, Length);
    /// <summary>The gradients, laid out as <see cref="Values"/>.</summary>
    /// <exception cref="InvalidOperationException">The tensor does not track gradients.</exception>
    public Span<float> Grad => GradData is null
        ? throw new InvalidOperationException("This tensor does not track gradients.")
        : GradData.AsSpan(Offset, Length);

    private Tensor(float[] data, int offset, float[]? grad, int[] shape)
    {
        Data = data;
        Offset = offset;
        GradData = grad;
        this.shape = shape;
        Length = Product(shape);
    }

    /// <summary>A tensor with its own zeroed buffer (and gradient buffer when <paramref name="requiresGrad"/>).</summary>
    public static Tensor Zeros(bool requiresGrad, params int[] shape)
    {
        int n = Product(shape);
        return new Tensor(new float[n], 0, requiresGrad ? new float[n] : null, (int[])shape.Clone());
    }

    /// <summary>Wraps existing values (no copy).</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        int n = Product(shape);
        if (data.Length != n)
            throw new ArgumentException($"Data has {data.Length} values but shape {Format(shape)} needs {n}.", nameof(data));
        return new Tensor(data, 0, null, (int[])shape.Clone());
    }

    /// <summary>A view of <paramref name="data"/>[offset..] (and the same slice of <paramref name="grad"/>).</summary>
    public static Tensor View(float[] data, float[]? grad, int offset, params int[] shape)
    {
        int n = Product(shape);
        if (offset < 0 || offset + n > data.Length || (grad != null && grad.Length != data.Length))
            throw new ArgumentException($"A view of shape {Format(shape)} at offset {offset} does not fit a buffer of {data.Length}.");
        return new Tensor(data, offset, grad, (int[])shape.Clone());
    }

    /// <summary>The size of dimension <paramref name="axis"/> (0-based) of the logical shape.</summary>
    public int Dim(int axis) => shape[axis];

    /// <summary>
    /// Gives an owned activation tensor a new shape, growing its buffers only when they are too small (so
    /// alternating batch sizes settle into zero allocation). Only for tensors that own their buffers.
    /// </summary>
    public void Reshape(ReadOnlySpan<int> newShape, bool requiresGrad)
    {
        if (Offset != 0) throw new InvalidOperationException("Only an owned tensor can be reshaped.");
        int n = Product(newShape);
        if (newShape.Length != shape.Length) shape = newShape.ToArray();
        else newShape.CopyTo(shape);
        Length = n;
        if (Data.Length < n) Data = new float[Math.Max(n, Data.Length * 3 / 2)];
        if (requiresGrad && (GradData is null || GradData.Length < Data.Length)) GradData = new float[Data.Length];
    }

    /// <summary>The shape as text, e.g. "[5, 64, 14, 14]".</summary>
    public string ShapeString => Format(shape);

    /// <summary>"Tensor[5, 64, 14, 14]", with " channel-major" when so laid out.</summary>
    public override string ToString() => $"Tensor{ShapeString}{(Layout == TensorLayout.ChannelMajor ? " channel-major" : "")}";

    /// <summary>A shape as text, e.g. "[5, 64, 14, 14]".</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>The number of values of <paramref name="shape"/> (1 for a scalar's empty shape).</summary>
    /// <exception cref="ArgumentException">A negative dimension, or more than <see cref="Array.MaxLength"/>
    /// values.</exception>
    public static int Product(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension in shape {Format(shape)}.");
            n *= d;
        }
        if (n > Array.MaxLength) throw new ArgumentException($"Shape {Format(shape)} is too large.");
        return (int)n;
    }
}
