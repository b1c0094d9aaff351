namespace Reptile.Autograd;

/// <summary>How a 4-d activation is laid out in memory. The logical shape is always PyTorch's NCHW.</summary>
public enum TensorLayout
{
    /// <summary>Row-major in the order of the shape (NCHW for images).</summary>
    RowMajor,
    /// <summary>[C][N][H][W]: each channel's values for the whole batch are contiguous, so a convolution is one
    /// GEMM over the batch and batch norm reduces contiguous blocks.</summary>
    ChannelMajor,
    /// <summary>[N][H][W][C]: each pixel's channels are contiguous (a row), the direct convolution's layout; batch
    /// norm then works across channels in vector lanes. Owned buffers keep spare rows past the values (see
    /// <see cref="Tensor.ReshapeRows"/>).</summary>
    PositionMajor,
}

/// <summary>
/// A view of values (and optionally their gradients) in flat float buffers. Parameters are views into a
/// model's single parameter buffer; activations own buffers that grow to the largest batch seen and are
/// then reused, so a training step allocates nothing.
/// </summary>
public sealed class Tensor
{
    private int[] shape;
    private readonly bool owned; // as created at offset 0 (reshaping may move its values to an aligned offset)
    private bool pinned;

    /// <summary>
    /// The buffer holding the values, from <see cref="Offset"/> on (a parameter's buffer is the whole model's).
    /// </summary>
    public float[] Data { get; private set; }
    /// <summary>Where this tensor's values start in <see cref="Data"/>.</summary>
    public int Offset { get; private set; }
    /// <summary>
    /// The gradient buffer, laid out as <see cref="Data"/> from <see cref="GradOffset"/>, or null when the tensor does
    /// not track gradients.
    /// </summary>
    public float[]? GradData { get; private set; }
    /// <summary>Where this tensor's gradients start in <see cref="GradData"/> (<see cref="Offset"/>, except for
    /// position-major activations, whose two buffers each start on a 64-byte boundary).</summary>
    public int GradOffset { get; private set; }
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
        : GradData.AsSpan(GradOffset, Length);

    private Tensor(float[] data, int offset, float[]? grad, int[] shape)
    {
        Data = data;
        Offset = GradOffset = offset;
        GradData = grad;
        owned = offset == 0; // a view into the middle of another buffer is never reshaped
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
    public void Reshape(ReadOnlySpan<int> newShape, bool requiresGrad) => Fit(newShape, requiresGrad, 0);

    /// <summary>
    /// <see cref="Reshape"/> for a position-major activation [N, C, H, W] of rows of C: both buffers pinned and
    /// starting on a 64-byte boundary (vector rows never straddle cache lines, and channel panels written by
    /// different threads never share one), with a direct convolution tile's rows past the values, cleared: zeros in
    /// <see cref="Data"/> (what a convolution's padding reads) and scratch in <see cref="GradData"/> (where its
    /// padding's sums go, and what its ragged tiles read).
    /// </summary>
    internal void ReshapeRows(ReadOnlySpan<int> newShape, bool requiresGrad)
    {
        if (!pinned) (Data, GradData, pinned) = ([], null, true);
        int spare = Kernels.DirectConvolution.Rows * newShape[1];
        Fit(newShape, requiresGrad, spare);
        Data.AsSpan(Offset + Length, spare).Clear();
        GradData?.AsSpan(GradOffset + Length, spare).Clear();
    }

    /// <summary>Reshapes this owned activation to <paramref name="like"/>'s shape and layout (position-major rows as
    /// <see cref="ReshapeRows"/> keeps them).</summary>
    internal void ReshapeLike(Tensor like, bool requiresGrad)
    {
        if (like.Layout == TensorLayout.PositionMajor) ReshapeRows(like.Shape, requiresGrad);
        else Reshape(like.Shape, requiresGrad);
        Layout = like.Layout;
    }

    private void Fit(ReadOnlySpan<int> newShape, bool requiresGrad, int spare)
    {
        if (!owned) throw new InvalidOperationException("Only an owned tensor can be reshaped.");
        int n = Product(newShape);
        if (newShape.Length != shape.Length) shape = newShape.ToArray();
        else newShape.CopyTo(shape);
        Length = n;
        if (Data.Length - Offset < n + spare) (Data, Offset) = Allocate(n + spare, Data.Length);
        if (requiresGrad && (GradData is null || GradData.Length - GradOffset < n + spare))
            (GradData, GradOffset) = Allocate(n + spare, GradData?.Length ?? 0);
    }

    /// <summary>A buffer for at least <paramref name="length"/> values (half as many more than before, so growing
    /// batches settle), and where they start: 0, or the first 64-byte boundary of a pinned one.</summary>
    private (float[] Buffer, int Start) Allocate(int length, int before)
    {
        length = Math.Max(length, before * 3 / 2);
        if (!pinned) return (new float[length], 0);
        var buffer = PinnedBuffer.Allocate(length);
        return (buffer, PinnedBuffer.Skip(buffer));
    }

    /// <summary>The shape as text, e.g. "[5, 64, 14, 14]".</summary>
    public string ShapeString => Format(shape);

    /// <summary>"Tensor[5, 64, 14, 14]", with " channel-major" or " position-major" when so laid out.</summary>
    public override string ToString() => $"Tensor{ShapeString}" + Layout switch
    {
        TensorLayout.ChannelMajor => " channel-major",
        TensorLayout.PositionMajor => " position-major",
        _ => "",
    };

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
