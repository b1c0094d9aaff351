namespace Reptile.IO;

/// <summary>The parsed header of a .npy file: element type, memory order and shape.</summary>
/// <param name="DType">NumPy's type string, e.g. "&lt;f4" (little-endian float32) or "|u1".</param>
/// <param name="FortranOrder">True when the data is column-major.</param>
/// <param name="Shape">The array's dimensions.</param>
public sealed record NpyHeader(string DType, bool FortranOrder, int[] Shape)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    /// <exception cref="OverflowException">The shape has more than 2^63 elements (never for a header the reader returned).</exception>
    public long Length => ShapeSize.TryProduct(Shape, 1, out long n) ? n : throw new OverflowException($"Shape {ShapeSize.Format(Shape)} is too large.");

    /// <summary>Bytes per element (4 for "&lt;f4", 1 for "|b1", ...).</summary>
    public int ItemSize => NpyDType.Of(DType).Size;

    /// <summary>Bytes of the whole array (<see cref="Length"/> × <see cref="ItemSize"/>).</summary>
    public long ByteLength => ShapeSize.TryProduct(Shape, ItemSize, out long n) ? n : throw new OverflowException($"Shape {ShapeSize.Format(Shape)} is too large.");
}

/// <summary>
/// An n-dimensional array read from a .npy file: shape, dtype descr and raw little-endian bytes (C order), with
/// conversions to .NET arrays. Supported dtypes: &lt;f4, &lt;f8, &lt;i4, &lt;i8, |b1, |u1.
/// </summary>
public sealed class NpyArray
{
    private readonly NpyDType type;

    /// <summary>Wraps <paramref name="data"/>, which must hold exactly the bytes <paramref name="shape"/> of <paramref name="dtype"/> needs.</summary>
    /// <exception cref="NotSupportedException"><paramref name="dtype"/> is not one of the supported descrs.</exception>
    /// <exception cref="ArgumentException">A negative dimension, or <paramref name="data"/> of the wrong length.</exception>
    public NpyArray(int[] shape, string dtype, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(dtype);
        ArgumentNullException.ThrowIfNull(data);
        type = NpyDType.Of(dtype);
        Shape = shape;
        DType = dtype;
        Data = data;
        Length = ShapeSize.Elements(shape);
        if (!ShapeSize.TryProduct(shape, type.Size, out long bytes) || bytes != data.Length)
            throw new ArgumentException($"Shape {ShapeSize.Format(shape)} of {dtype} needs {Length}×{type.Size} bytes, got {data.Length}.", nameof(data));
    }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public int[] Shape { get; }

    /// <summary>NumPy dtype descr, e.g. "&lt;f8", "|b1".</summary>
    public string DType { get; }

    /// <summary>Raw little-endian element bytes in C order.</summary>
    public byte[] Data { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>All elements as float (integers and booleans converted; doubles rounded).</summary>
    public float[] ToFloatArray()
    {
        var result = new float[Length];
        for (long i = 0; i < result.Length; i++) result[i] = (float)type.ReadDouble(Data, i);
        return result;
    }

    /// <summary>All elements as double.</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[Length];
        for (long i = 0; i < result.Length; i++) result[i] = type.ReadDouble(Data, i);
        return result;
    }

    /// <summary>Integer and boolean arrays as int64.</summary>
    /// <exception cref="NotSupportedException">The array holds floats (refused rather than truncated).</exception>
    public long[] ToInt64Array()
    {
        var read = type.ReadInt64 ?? throw new NotSupportedException($"Cannot convert NumPy dtype '{DType}' to int64.");
        var result = new long[Length];
        for (long i = 0; i < result.Length; i++) result[i] = read(Data, i);
        return result;
    }

    /// <summary>Nonzero elements are true.</summary>
    public bool[] ToBoolArray()
    {
        var result = new bool[Length];
        for (long i = 0; i < result.Length; i++) result[i] = type.ReadDouble(Data, i) != 0;
        return result;
    }
}
