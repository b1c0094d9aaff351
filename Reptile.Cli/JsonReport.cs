using System.Text.Json;

namespace Reptile.Cli;

/// <summary>The JSON files the commands write for scripts: objects of numbers, strings, booleans, arrays and nested
/// objects, written with <see cref="Utf8JsonWriter"/> (no reflection, so Native AOT keeps it working).</summary>
internal static class JsonReport
{
    /// <summary>Writes <paramref name="values"/> (snake_case keys, as given) atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, object> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            WriteValue(writer, values);
        buffer.WriteByte((byte)'\n');
        // Through a temporary sibling and a rename, so a script never reads half a report.
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, buffer.ToArray());
        File.Move(temp, full, overwrite: true);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case float f: writer.WriteNumberValue(f); break;
            case double d: writer.WriteNumberValue(d); break;
            case IReadOnlyDictionary<string, object> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }
                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items) WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            default: throw new ArgumentException($"JSON reports hold no {value.GetType().Name}.", nameof(value));
        }
    }
}
