using System.Globalization;
using Reptile.IO;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// A resumable checkpoint in a folder: one consistent unit of weights, inner optimizer state and metrics.
/// `model.safetensors` holds the weights under PyTorch's state_dict names and layouts (so
/// `safetensors.torch.load_file` + `load_state_dict` work directly) and, in `__metadata__`, the iteration, the run's
/// options and the name of the optimizer-state file. Saving writes the state file (named by iteration) and
/// metrics.csv first and the model file last, each atomically: the model file's rename is the commit, so a kill
/// at any instant leaves either the previous complete checkpoint or the new one (metrics.csv may then run ahead
/// of the model, and loading keeps only its rows before the model's iteration). Nothing non-finite is ever saved
/// or loaded.
/// </summary>
public static class ReptileCheckpoint
{
    public const string ModelFile = "model.safetensors";
    public const string MetricsFile = "metrics.csv";
    private const string Format = "reptile-dotnet/1";

    /// <summary>What a checkpoint holds besides the tensors loaded into the model and optimizer.</summary>
    /// <param name="Iteration">Meta-iterations completed.</param>
    /// <param name="Metadata">The model file's metadata.</param>
    /// <param name="ModelPath">The model file.</param>
    /// <param name="Metrics">The metrics rows of iterations 0 … Iteration − 1 (empty when the folder has no metrics.csv).</param>
    public sealed record Info(int Iteration, IReadOnlyDictionary<string, string> Metadata, string ModelPath, MetricsLog Metrics);

    /// <summary>Saves a checkpoint after <paramref name="iteration"/> meta-iterations; refuses (before writing anything)
    /// weights or optimizer state that are not finite.</summary>
    public static void Save(string folder, Sequential model, Optimizer optimizer, int iteration, MetricsLog? metrics = null,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        RequireFinite(model.Parameters, "the model's parameters");
        foreach (var (name, values) in optimizer.State) RequireFinite(values, $"the optimizer state '{name}'");
        Directory.CreateDirectory(folder);
        RemoveStaleTemporaries(folder);

        string stateFile = $"optimizer-{iteration:D7}.safetensors";
        var state = optimizer.State.Select(s => new SafeTensor(s.Name, [s.Values.Length], s.Values)).ToList();
        SafeTensors.Write(Path.Combine(folder, stateFile), state, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["iteration"] = Invariant(iteration),
            ["optimizer"] = optimizer.GetType().Name,
            ["optimizer_step"] = Invariant(optimizer.StepCount),
        });
        metrics?.Write(Path.Combine(folder, MetricsFile));

        var metadata = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["format"] = Format,
            ["iteration"] = Invariant(iteration),
            ["optimizer"] = optimizer.GetType().Name,
            ["optimizer_step"] = Invariant(optimizer.StepCount),
            ["optimizer_state_file"] = stateFile,
        };
        var tensors = model.NamedParameters.Select(p => new SafeTensor(p.Name, p.Tensor.Shape.ToArray(), p.Tensor.Values.ToArray())).ToList();
        SafeTensors.Write(Path.Combine(folder, ModelFile), tensors, metadata); // the commit

        foreach (var old in Directory.EnumerateFiles(folder, "optimizer-*.safetensors"))
            if (Path.GetFileName(old) != stateFile) File.Delete(old);
    }

    /// <summary>True when <paramref name="folder"/> holds a checkpoint.</summary>
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ModelFile));

    /// <summary>Loads weights into <paramref name="model"/> and, when given, the optimizer state, after checking
    /// every tensor and field; a bad checkpoint is an <see cref="InvalidFileException"/> naming the file and field.</summary>
    public static Info Load(string folder, Sequential model, Optimizer? optimizer)
    {
        string path = Path.Combine(folder, ModelFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at {path}.", path);
        var (tensors, metadata) = SafeTensors.Read(path);
        var byName = ByName(tensors, path);
        var weights = new float[model.ParameterCount];
        foreach (var p in model.NamedParameters)
        {
            if (!byName.TryGetValue(p.Name, out var t))
                throw new InvalidFileException(path, null, p.Name, "the checkpoint has no such tensor (is it for another model?)");
            if (!t.Shape.AsSpan().SequenceEqual(p.Tensor.Shape))
                throw new InvalidFileException(path, null, p.Name, $"shape {Tensor.Format(t.Shape)}, the model needs {p.Tensor.ShapeString}");
            RequireFinite(t.Data, path, p.Name);
            t.Data.AsSpan().CopyTo(weights.AsSpan(p.Offset, p.Length));
        }
        int iteration = ParseCount(metadata, "iteration", path, int.MaxValue);
        var metrics = ReadMetrics(folder, iteration);

        if (optimizer != null)
        {
            string kind = Required(metadata, "optimizer", path);
            if (kind != optimizer.GetType().Name)
                throw new InvalidFileException(path, null, "optimizer", $"the run used {kind} as its inner optimizer, not {optimizer.GetType().Name}");
            string stateName = Required(metadata, "optimizer_state_file", path);
            if (stateName != $"optimizer-{iteration:D7}.safetensors")
                throw new InvalidFileException(path, null, "optimizer_state_file", $"'{Shorten(stateName)}' is not the state file of iteration {iteration}");
            string statePath = Path.Combine(folder, stateName);
            if (!File.Exists(statePath)) throw new InvalidFileException(path, null, "optimizer_state_file", $"names {stateName}, which is not in {folder}");
            var (state, stateMeta) = SafeTensors.Read(statePath);
            if (ParseCount(stateMeta, "iteration", statePath, int.MaxValue) != iteration)
                throw new InvalidFileException(statePath, null, "iteration", $"{stateMeta["iteration"]}, but the model is at iteration {iteration}");
            var stateByName = ByName(state, statePath);
            long step = ParseCount(metadata, "optimizer_step", path, long.MaxValue);
            foreach (var (name, values) in optimizer.State)
            {
                if (!stateByName.TryGetValue(name, out var t) || t.Data.Length != values.Length)
                    throw new InvalidFileException(statePath, null, name, $"missing or not of the model's {values.Length} values");
                RequireFinite(t.Data, statePath, name);
            }
            foreach (var (name, values) in optimizer.State) stateByName[name].Data.AsSpan().CopyTo(values);
            optimizer.StepCount = step;
        }
        weights.CopyTo(model.Parameters, 0); // only once every check has passed
        return new Info(iteration, metadata, path, metrics);
    }

    /// <summary>The rows before <paramref name="iteration"/>: all of them, or a clear error when some are missing.</summary>
    private static MetricsLog ReadMetrics(string folder, int iteration)
    {
        string path = Path.Combine(folder, MetricsFile);
        if (!File.Exists(path)) return new MetricsLog();
        var metrics = MetricsLog.Read(path);
        metrics.KeepBefore(iteration);
        if (metrics.Count != iteration || (iteration > 0 && metrics[0].Iteration != 0))
            throw new InvalidFileException(path, null, "rows", $"{metrics.Count} rows before iteration {iteration}; the checkpoint needs one for each of 0 … {iteration - 1}");
        return metrics;
    }

    /// <summary>Removes what a killed writer left (AtomicFile's hidden `.name.pid.guid.tmp` siblings).</summary>
    internal static void RemoveStaleTemporaries(string folder)
    {
        foreach (var temp in Directory.EnumerateFiles(folder, ".*.tmp"))
            try { File.Delete(temp); } catch (IOException) { }
    }

    private static Dictionary<string, SafeTensor> ByName(IReadOnlyList<SafeTensor> tensors, string path)
    {
        var byName = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
            if (!byName.TryAdd(t.Name, t)) throw new InvalidFileException(path, null, t.Name, "the tensor name appears twice");
        return byName;
    }

    private static void RequireFinite(ReadOnlySpan<float> values, string what)
    {
        int bad = IndexOfNonFinite(values);
        if (bad >= 0) throw new InvalidOperationException($"Refusing to save a checkpoint: {what} hold {values[bad]} at index {bad}.");
    }

    private static void RequireFinite(ReadOnlySpan<float> values, string path, string name)
    {
        int bad = IndexOfNonFinite(values);
        if (bad >= 0) throw new InvalidFileException(path, null, name, $"holds {values[bad]} at index {bad}: the run that wrote it had diverged");
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++) if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    private static long ParseCount(IReadOnlyDictionary<string, string> metadata, string key, string path, long max)
    {
        var text = Required(metadata, key, path);
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > max)
            throw new InvalidFileException(path, null, key, $"'{Shorten(text)}' is not a count in 0 … {max}");
        return value;
    }

    private static int ParseCount(IReadOnlyDictionary<string, string> metadata, string key, string path, int max) =>
        (int)ParseCount(metadata, key, path, (long)max);

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out var v) ? v : throw new InvalidFileException(path, null, key, "missing from the checkpoint metadata");

    private static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
}
