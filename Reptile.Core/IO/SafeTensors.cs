using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Reptile.IO;

/// <summary>A named float32 tensor (C order).</summary>
public sealed record SafeTensor(string Name, int[] Shape, float[] Data)
{
    public long ElementCount => SafeTensors.Product(Shape);
}

/// <summary>
/// The safetensors format: u64 little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a
/// multiple of 8), then the raw little-endian tensor bytes, offsets relative to the data section.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Writes atomically: a temporary file in the same folder, flushed to disk, then renamed over <paramref name="path"/>.</summary>
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
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
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
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static (IReadOnlyList<SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        using var stream = File.OpenRead(path);
        long fileLength = stream.Length;
        if (fileLength < 8) throw Invalid(path, $"file is truncated ({fileLength} bytes; the header length alone takes 8).");
        Span<byte> len = stackalloc byte[8];
        stream.ReadExactly(len);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n > (ulong)(fileLength - 8)) throw Invalid(path, $"header length {n} runs past the end of the {fileLength}-byte file.");
        if (n > 100_000_000) throw Invalid(path, $"header length {n} is implausibly large.");
        var headerBytes = new byte[(int)n];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)n;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"header is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Invalid(path, "header is not a JSON object.");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Invalid(path, "__metadata__ is not an object.");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Invalid(path, $"metadata value '{m.Name}' is not a string.");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, prop));
            }

            foreach (var e in entries)
            {
                int itemSize = e.DType switch
                {
                    "F32" => 4,
                    "F64" => 8,
                    _ => throw new NotSupportedException($"{path}: tensor '{e.Name}' has dtype {e.DType}; only F32 and F64 are supported."),
                };
                if (e.Begin < 0 || e.End < e.Begin || e.End > dataLength)
                    throw Invalid(path, $"tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}] outside the {dataLength}-byte data section.");
                long need;
                try { need = checked(Product(e.Shape) * itemSize); }
                catch (OverflowException) { throw Invalid(path, $"tensor '{e.Name}' has an impossibly large shape."); }
                if (e.End - e.Begin != need)
                    throw Invalid(path, $"tensor '{e.Name}' of shape ({string.Join(", ", e.Shape)}) {e.DType} needs {need} bytes but data_offsets span {e.End - e.Begin}.");
            }
            var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
            for (int i = 1; i < sorted.Count; i++)
                if (sorted[i].Begin < sorted[i - 1].End)
                    throw Invalid(path, $"tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap.");

            var tensors = new List<SafeTensor>(entries.Count);
            foreach (var e in entries)
            {
                var bytes = new byte[e.End - e.Begin];
                stream.Position = dataStart + e.Begin;
                stream.ReadExactly(bytes);
                var data = new float[e.Shape.Aggregate(1L, (a, d) => a * d)];
                if (e.DType == "F32")
                {
                    if (BitConverter.IsLittleEndian) bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
                    else for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
                }
                else
                {
                    for (int i = 0; i < data.Length; i++) data[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 * i));
                }
                tensors.Add(new SafeTensor(e.Name, e.Shape, data));
            }
            return (tensors, metadata);
        }
    }

    internal static long Product(int[] shape)
    {
        long n = 1;
        foreach (var d in shape) n = checked(n * d);
        return n;
    }

    private static (string, string, int[], long, long) ParseEntry(string path, JsonProperty prop)
    {
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Invalid(path, $"entry '{prop.Name}' is not an object.");
        if (!v.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw Invalid(path, $"tensor '{prop.Name}' lacks a string 'dtype'.");
        if (!v.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
            throw Invalid(path, $"tensor '{prop.Name}' lacks a 'shape' array.");
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Invalid(path, $"tensor '{prop.Name}' lacks 'data_offsets' [begin, end].");
        var dims = new int[shape.GetArrayLength()];
        int k = 0;
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out dims[k]) || dims[k] < 0)
                throw Invalid(path, $"tensor '{prop.Name}' has an invalid shape {shape.GetRawText()}.");
            k++;
        }
        var o = offsets.EnumerateArray().ToArray();
        if (o[0].ValueKind != JsonValueKind.Number || o[1].ValueKind != JsonValueKind.Number
            || !o[0].TryGetInt64(out long begin) || !o[1].TryGetInt64(out long end))
            throw Invalid(path, $"tensor '{prop.Name}' has invalid data_offsets {offsets.GetRawText()}.");
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

    private static InvalidDataException Invalid(string path, string problem) => new($"{path}: invalid safetensors file: {problem}");
}
