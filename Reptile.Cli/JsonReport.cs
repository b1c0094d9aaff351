using System.Text.Json;
using Reptile.IO;

namespace Reptile.Cli;

internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="values"/> (snake_case keys, as given) atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, object> values) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(values, Options) + "\n");
}
