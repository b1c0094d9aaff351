using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Reptile.IO;

/// <summary>A named float32 tensor (C order).</summary>
/// <param name="Name">The tensor's key in the file, e.g. "0.weight".</param>
/// <param name="Shape">Its dimensions.</param>
/// <param name="Data">Its values, row-major, as many as the shape's product.</param>
public sealed record SafeTensor(string Name, int[] Shape, float[] Data)
{
    /// <summary>Number of elements (product of the shape).</summary>
    public long ElementCount => ShapeSize.Elements(Shape);
}

/// <summary>
/// The safetensors format: u64 little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a
/// multiple of 8), then the raw little-endian tensor bytes, offsets relative to the data section. Reading treats the
/// file as untrusted: a bad one throws <see cref="InvalidFileException"/>.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Longest JSON header accepted (the format's reference implementation refuses more than 100 MB too).</summary>
    private const int MaxHeaderBytes = 100_000_000;

    /// <summary>Writes F32 tensors and string metadata atomically through <see cref="AtomicFile"/> (a temporary file in
    /// the same folder, flushed to disk, then renamed over <paramref name="path"/>). The folder must exist.</summary>
    public static void Write(string path, IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (string.IsNullOrEmpty(t.Name)) throw new ArgumentException("A tensor name is empty.", nameof(tensors));
            if (t.Name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(t.Name)) throw new ArgumentException($"Duplicate tensor name '{t.Name}'.", nameof(tensors));
            foreach (var d in t.Shape)
                if (d < 0) throw new ArgumentException($"Tensor '{t.Name}' has a negative dimension.", nameof(tensors));
        }

        var header = BuildHeader(tensors, metadata);
        // AtomicFile would create a missing folder; a checkpoint path with a typo should fail instead.
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Cannot write {path}: folder {dir} does not exist.");
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            stream.Write(len);
            stream.Write(header);
            foreach (var t in tensors)
            {
                // Checked as each tensor is written, so a bad one fails part-way through the file.
                if (t.Data.LongLength != t.ElementCount)
                    throw new ArgumentException(
                        $"Tensor '{t.Name}' has {t.Data.Length} values but shape ({string.Join(", ", t.Shape)}) needs {t.ElementCount}.", nameof(tensors));
                WriteFloats(stream, t.Data);
            }
        });
    }

    /// <summary>Reads every tensor (F32, or F64 narrowed to float) and the string metadata of a safetensors file.</summary>
    /// <exception cref="InvalidFileException">The content is not a valid safetensors file of F32/F64 tensors, or exceeds <paramref name="limits"/>.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static (IReadOnlyList<SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path, ReadLimits? limits = null)
    {
        var checkedLimits = ReadLimits.Or(limits);
        var source = new FileSource(path);
        using var stream = UntrustedFile.OpenRead(path, "safetensors file");
        long fileLength = stream.Length;
        Span<byte> len = stackalloc byte[8];
        StreamReading.ReadExactly(stream, len, source, "header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n > (ulong)(fileLength - 8)) throw source.Invalid("header length", $"{n} runs past the end of the {fileLength}-byte file.");
        if (n > MaxHeaderBytes) throw source.Invalid("header length", $"{n} bytes is implausibly large (at most {MaxHeaderBytes}).");
        var headerBytes = StreamReading.ReadBytes(stream, (long)n, source, "header");
        long dataStart = 8 + (long)n;
        long dataLength = fileLength - dataStart;
        // Checked here because System.Text.Json would fail later, outside the parser, on a name that is not UTF-8.
        if (!Utf8.IsValid(headerBytes)) throw source.Invalid("header", "is not valid UTF-8.");

        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw source.Invalid("header", "is not a JSON object.");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(prop.Name)) throw source.Invalid($"tensor '{prop.Name}'", "the name appears twice in the header.");
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw source.Invalid(MetadataKey, "is not an object.");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw source.Invalid(MetadataKey, $"metadata value '{m.Name}' is not a string.");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw source.Invalid(MetadataKey, $"key '{m.Name}' appears twice.");
                    }
                    continue;
                }
                entries.Add(ParseEntry(source, prop));
            }
        }
        catch (JsonException e)
        {
            throw source.Invalid("header", $"is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement.GetString on an escaped lone surrogate ("\ud800") cannot make a string.
            throw source.Invalid("header", $"holds an invalid string: {e.Message}", e);
        }

        foreach (var e in entries)
        {
            int itemSize = e.DType switch
            {
                "F32" => 4,
                "F64" => 8,
                _ => throw source.Invalid($"tensor '{e.Name}' dtype", $"{e.DType} is not supported (only F32 and F64)."),
            };
            if (e.Begin < 0 || e.End < e.Begin || e.End > dataLength)
                throw source.Invalid($"tensor '{e.Name}' data_offsets", $"[{e.Begin}, {e.End}] lie outside the {dataLength}-byte data section.");
            if (!ShapeSize.TryProduct(e.Shape, itemSize, out long need))
                throw source.Invalid($"tensor '{e.Name}' shape", $"{ShapeSize.Format(e.Shape)} is impossibly large.");
            if (e.End - e.Begin != need)
                throw source.Invalid($"tensor '{e.Name}' data_offsets", $"shape {ShapeSize.Format(e.Shape)} {e.DType} needs {need} bytes but data_offsets span {e.End - e.Begin}.");
            long floatBytes = need / itemSize * sizeof(float);
            if (floatBytes > checkedLimits.MaxTensorBytes || need / itemSize > Array.MaxLength)
                throw source.Invalid($"tensor '{e.Name}' shape", $"{ShapeSize.Format(e.Shape)} is {floatBytes} bytes as float, over the {checkedLimits.MaxTensorBytes}-byte limit (ReadLimits.MaxTensorBytes).");
        }
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw source.Invalid("data_offsets", $"tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap.");

        var tensors = new List<SafeTensor>(entries.Count);
        foreach (var e in entries)
        {
            stream.Position = dataStart + e.Begin;
            string field = $"tensor '{e.Name}' data";
            float[] data;
            if (e.DType == "F32")
            {
                data = new float[(e.End - e.Begin) / 4];
                StreamReading.ReadExactly(stream, MemoryMarshal.AsBytes(data.AsSpan()), source, field);
                if (!BitConverter.IsLittleEndian)
                {
                    var words = MemoryMarshal.Cast<float, int>(data.AsSpan());
                    BinaryPrimitives.ReverseEndianness(words, words);
                }
            }
            else
            {
                var bytes = StreamReading.ReadBytes(stream, e.End - e.Begin, source, field);
                data = new float[bytes.Length / 8];
                for (int i = 0; i < data.Length; i++) data[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 * i));
            }
            tensors.Add(new SafeTensor(e.Name, e.Shape, data));
        }
        return (tensors, metadata);
    }

    private static (string, string, int[], long, long) ParseEntry(FileSource source, JsonProperty prop)
    {
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw source.Invalid($"tensor '{prop.Name}'", "is not an object.");
        if (!v.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw source.Invalid($"tensor '{prop.Name}' dtype", "is missing or not a string.");
        if (!v.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
            throw source.Invalid($"tensor '{prop.Name}' shape", "is missing or not an array.");
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw source.Invalid($"tensor '{prop.Name}' data_offsets", "is missing or not [begin, end].");
        var dims = new int[shape.GetArrayLength()];
        int k = 0;
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out dims[k]) || dims[k] < 0)
                throw source.Invalid($"tensor '{prop.Name}' shape", $"{shape.GetRawText()} is not a list of non-negative 32-bit integers.");
            k++;
        }
        var o = offsets.EnumerateArray().ToArray();
        if (o[0].ValueKind != JsonValueKind.Number || o[1].ValueKind != JsonValueKind.Number
            || !o[0].TryGetInt64(out long begin) || !o[1].TryGetInt64(out long end))
            throw source.Invalid($"tensor '{prop.Name}' data_offsets", $"{offsets.GetRawText()} are not two 64-bit integers.");
        return (prop.Name, dtype.GetString()!, dims, begin, end);
    }

    private static byte[] BuildHeader(IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                long size = checked(t.ElementCount * 4);
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        int length = (int)buffer.Length;
        int padded = (length + 7) / 8 * 8;
        for (int i = length; i < padded; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteFloats(Stream stream, float[] data)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }
        var b = new byte[4];
        foreach (var f in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b, f);
            stream.Write(b);
        }
    }

}
