using System.Buffers.Binary;

namespace Reptile.IO;

/// <summary>The NumPy element types this library reads: the one table of their sizes and element readers.</summary>
internal sealed record NpyDType(string Kind, int Size, Func<byte[], long, double> ReadDouble, Func<byte[], long, long>? ReadInt64)
{
    /// <summary>The descrs accepted, for messages.</summary>
    public const string Supported = "<f4, <f8, <i4, <i8, |b1, |u1";

    private static readonly Dictionary<string, NpyDType> ByKind = new NpyDType[]
    {
        new("f4", 4, (d, i) => BinaryPrimitives.ReadSingleLittleEndian(d.AsSpan(checked((int)(4 * i)))), null),
        new("f8", 8, (d, i) => BinaryPrimitives.ReadDoubleLittleEndian(d.AsSpan(checked((int)(8 * i)))), null),
        new("i4", 4, (d, i) => BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(checked((int)(4 * i)))),
            (d, i) => BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(checked((int)(4 * i))))),
        new("i8", 8, (d, i) => BinaryPrimitives.ReadInt64LittleEndian(d.AsSpan(checked((int)(8 * i)))),
            (d, i) => BinaryPrimitives.ReadInt64LittleEndian(d.AsSpan(checked((int)(8 * i))))),
        new("b1", 1, (d, i) => d[i] != 0 ? 1.0 : 0.0, (d, i) => d[i] != 0 ? 1 : 0),
        new("u1", 1, (d, i) => d[i], (d, i) => d[i]),
    }.ToDictionary(t => t.Kind, StringComparer.Ordinal);

    /// <summary>The type of a little-endian or byte-order-free descr ("&lt;f4", "|b1"); null for any other.</summary>
    public static NpyDType? Find(string descr) =>
        descr.Length > 1 && (descr[0] == '<' || descr[0] == '|') && ByKind.TryGetValue(descr[1..], out var t) ? t : null;

    /// <summary>Like <see cref="Find"/>, for descrs that code (not a file) supplies.</summary>
    public static NpyDType Of(string descr) =>
        Find(descr) ?? throw new NotSupportedException($"Unsupported NumPy dtype '{descr}' (supported: {Supported}).");
}
