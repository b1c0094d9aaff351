using System.Buffers.Binary;

namespace Reptile.IO;

/// <summary>The parsed header of a .npy file: element type, memory order and shape.</summary>
public sealed record NpyHeader(string DType, bool FortranOrder, int[] Shape)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long Length
    {
        get
        {
            long n = 1;
            foreach (var d in Shape) n = checked(n * d);
            return n;
        }
    }

    /// <summary>Bytes per element (4 for "&lt;f4", 1 for "|b1", ...).</summary>
    public int ItemSize => NpyArray.ItemSizeOf(DType);

    public long ByteLength => checked(Length * ItemSize);
}

/// <summary>An n-dimensional array read from a .npy file: shape, dtype descr and raw little-endian bytes (C order).</summary>
public sealed class NpyArray
{
    public NpyArray(int[] shape, string dtype, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(dtype);
        ArgumentNullException.ThrowIfNull(data);
        Shape = shape;
        DType = dtype;
        Data = data;
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension {d} in shape.", nameof(shape));
            n = checked(n * d);
        }
        Length = n;
        if (checked(n * ItemSizeOf(dtype)) != data.Length)
            throw new ArgumentException($"Shape ({string.Join(", ", shape)}) of {dtype} needs {n * ItemSizeOf(dtype)} bytes, got {data.Length}.", nameof(data));
    }

    public int[] Shape { get; }

    /// <summary>NumPy dtype descr, e.g. "&lt;f8", "|b1".</summary>
    public string DType { get; }

    /// <summary>Raw little-endian element bytes in C order.</summary>
    public byte[] Data { get; }

    public long Length { get; }

    /// <summary>The kind and size part of the descr without the byte-order mark ("f8", "b1", ...).</summary>
    internal static string Kind(string dtype) =>
        dtype.Length > 0 && (dtype[0] == '<' || dtype[0] == '|' || dtype[0] == '>' || dtype[0] == '=') ? dtype[1..] : dtype;

    internal static int ItemSizeOf(string dtype) => Kind(dtype) switch
    {
        "f8" or "i8" => 8,
        "f4" or "i4" => 4,
        "b1" or "u1" => 1,
        _ => throw new NotSupportedException($"Unsupported NumPy dtype '{dtype}' (supported: <f4, <f8, <i4, <i8, |b1, |u1)."),
    };

    public float[] ToFloatArray()
    {
        RequireNumeric("float");
        var result = new float[Length];
        for (int i = 0; i < result.Length; i++) result[i] = (float)ElementAsDouble(i, "float");
        return result;
    }

    public double[] ToDoubleArray()
    {
        RequireNumeric("double");
        var result = new double[Length];
        for (int i = 0; i < result.Length; i++) result[i] = ElementAsDouble(i, "double");
        return result;
    }

    private void RequireNumeric(string target)
    {
        if (Kind(DType) is not ("f4" or "f8" or "i4" or "i8" or "b1" or "u1")) throw Unsupported(target);
    }

    /// <summary>Element <paramref name="i"/> of any numeric dtype (the conversions share this one reader).</summary>
    private double ElementAsDouble(int i, string target)
    {
        var d = Data.AsSpan();
        return Kind(DType) switch
        {
            "f4" => BinaryPrimitives.ReadSingleLittleEndian(d[(4 * i)..]),
            "f8" => BinaryPrimitives.ReadDoubleLittleEndian(d[(8 * i)..]),
            "i4" => BinaryPrimitives.ReadInt32LittleEndian(d[(4 * i)..]),
            "i8" => BinaryPrimitives.ReadInt64LittleEndian(d[(8 * i)..]),
            "b1" => d[i] != 0 ? 1.0 : 0.0,
            "u1" => d[i],
            _ => throw Unsupported(target),
        };
    }

    /// <summary>Integer and boolean arrays as int64 (floats are refused rather than truncated).</summary>
    public long[] ToInt64Array()
    {
        var result = new long[Length];
        var d = Data.AsSpan();
        switch (Kind(DType))
        {
            case "i4": for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(d[(4 * i)..]); break;
            case "i8": for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(d[(8 * i)..]); break;
            case "b1": for (int i = 0; i < result.Length; i++) result[i] = d[i] != 0 ? 1 : 0; break;
            case "u1": for (int i = 0; i < result.Length; i++) result[i] = d[i]; break;
            default: throw Unsupported("int64");
        }
        return result;
    }

    /// <summary>Nonzero elements are true.</summary>
    public bool[] ToBoolArray()
    {
        var result = new bool[Length];
        var d = Data.AsSpan();
        switch (Kind(DType))
        {
            case "b1" or "u1": for (int i = 0; i < result.Length; i++) result[i] = d[i] != 0; break;
            case "i4": for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(d[(4 * i)..]) != 0; break;
            case "i8": for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(d[(8 * i)..]) != 0; break;
            case "f4": for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(d[(4 * i)..]) != 0; break;
            case "f8": for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadDoubleLittleEndian(d[(8 * i)..]) != 0; break;
            default: throw Unsupported("bool");
        }
        return result;
    }

    private NotSupportedException Unsupported(string target) =>
        new($"Cannot convert NumPy dtype '{DType}' to {target}.");
}
