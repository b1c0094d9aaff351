using Reptile.Autograd;
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
    /// <summary>The weights file of a checkpoint folder: safetensors with PyTorch state_dict names, and metadata naming the
    /// inner optimizer's state file beside it (optimizer-NNNNNNN.safetensors). Written last: it commits the checkpoint.</summary>
    public const string ModelFile = "model.safetensors";
    /// <summary>The metrics file of a checkpoint folder (see <see cref="MetricsLog"/>).</summary>
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
            ["optimizer"] = InnerOptimizerSettings.KindOf(optimizer),
            ["optimizer_step"] = Invariant(optimizer.StepCount),
        });
        metrics?.Write(Path.Combine(folder, MetricsFile));

        var metadata = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["format"] = Format,
            ["iteration"] = Invariant(iteration),
            ["optimizer"] = InnerOptimizerSettings.KindOf(optimizer),
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
            // Checkpoints before explicit kinds recorded the type name ("Adam", "Sgd").
            string kind = Required(metadata, "optimizer", path), expected = InnerOptimizerSettings.KindOf(optimizer);
            if (!kind.Equals(expected, StringComparison.OrdinalIgnoreCase))
                throw new InvalidFileException(path, null, "optimizer", $"the run's inner optimizer was '{Shorten(kind)}', not '{expected}'");
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

    /// <summary>
    /// The model a checkpoint holds, as its metadata describes it. A checkpoint written before descriptions existed
    /// (only supervised-reptile's Omniglot network was trained then) gets one inferred from its tensors and options:
    /// the input side is taken as <paramref name="legacyInputSize"/> when given, else 28 when the dense layer fits
    /// 28 × 28 inputs, else the smallest size that fits; the pixels as binary for 28 × 28 (Omniglot), gray otherwise.
    /// </summary>
    public static ModelDescription ReadDescription(string folder, int? legacyInputSize = null)
    {
        string path = Path.Combine(folder, ModelFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at {path}.", path);
        var (tensors, metadata) = SafeTensors.Read(path);
        if (metadata.TryGetValue(ModelDescription.MetadataKey, out var json)) return ModelDescription.FromJson(json, path);
        return InferLegacyDescription(tensors, metadata, path, legacyInputSize);
    }

    private static ModelDescription InferLegacyDescription(IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata,
        string path, int? inputSize)
    {
        var byName = ByName(tensors, path);
        if (!byName.TryGetValue("13.weight", out var dense) || dense.Shape.Length != 2 || !byName.ContainsKey("0.weight"))
            throw new InvalidFileException(path, null, ModelDescription.MetadataKey,
                "missing, and the tensors are not supervised-reptile's Omniglot network (the only model of checkpoints without a description)");
        int classes = dense.Shape[0], features = dense.Shape[1];
        static int Side(int size) { for (int i = 0; i < 4; i++) size = (size + 2 - 3) / 2 + 1; return size; }
        bool Fits(int size) => 64 * Side(size) * Side(size) == features;
        int side = inputSize ?? (Fits(28) ? 28 : Enumerable.Range(1, 4096).FirstOrDefault(Fits));
        if (side == 0 || !Fits(side))
            throw new InvalidFileException(path, null, "13.weight", $"{features} inputs fit no Omniglot network{(inputSize is { } s ? $" with {s}×{s} images" : "")}");
        var options = metadata.TryGetValue("options", out var json) ? FewShotOptions.FromJson(json, path) : new FewShotOptions { Classes = classes };
        return new ModelDescription
        {
            Layers = Layers.Models.Omniglot(classes, side).Layers.Select(l => l.ToString()!).ToArray(),
            InputHeight = side,
            InputWidth = side,
            Encoding = side == 28 ? Data.PixelEncoding.Binary : Data.PixelEncoding.Gray,
            Classes = classes,
            InnerOptimizer = InnerOptimizerSettings.Of(options.CreateInnerOptimizer(1)),
            FineTuning = new FineTuningSettings(options.EvalIters, options.EvalBatch, options.Replacement, options.WeightDecay, options.Transductive),
            Inferred = true,
        };
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
