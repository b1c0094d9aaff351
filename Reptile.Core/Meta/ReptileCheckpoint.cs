using System.Globalization;
using Reptile.IO;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// A resumable checkpoint in a folder. `model.safetensors` holds the weights under PyTorch's state_dict names
/// and layouts (so `safetensors.torch.load_file` + `load_state_dict` work directly) and, in `__metadata__`,
/// the iteration, the run's flags and the name of the optimizer-state file written just before it. Every
/// file is written atomically and the state file is named by iteration, so a kill at any moment leaves the
/// previous complete checkpoint readable.
/// </summary>
public static class ReptileCheckpoint
{
    public const string ModelFile = "model.safetensors";
    private const string Format = "reptile-dotnet/1";

    public sealed record Info(int Iteration, IReadOnlyDictionary<string, string> Metadata);

    public static void Save(string folder, Sequential model, Optimizer optimizer, int iteration, IReadOnlyDictionary<string, string>? extra = null)
    {
        Directory.CreateDirectory(folder);
        string stateFile = $"optimizer-{iteration:D7}.safetensors";
        var state = optimizer.State.Select(s => new SafeTensor(s.Name, [s.Values.Length], s.Values)).ToList();
        SafeTensors.Write(Path.Combine(folder, stateFile), state, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["iteration"] = Invariant(iteration),
            ["optimizer"] = optimizer.GetType().Name,
            ["optimizer_step"] = Invariant(optimizer.StepCount),
        });

        var metadata = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["format"] = Format,
            ["iteration"] = Invariant(iteration),
            ["optimizer"] = optimizer.GetType().Name,
            ["optimizer_step"] = Invariant(optimizer.StepCount),
            ["optimizer_state_file"] = stateFile,
        };
        var tensors = model.NamedParameters.Select(p => new SafeTensor(p.Name, p.Tensor.Shape.ToArray(), p.Tensor.Values.ToArray())).ToList();
        SafeTensors.Write(Path.Combine(folder, ModelFile), tensors, metadata);

        foreach (var old in Directory.EnumerateFiles(folder, "optimizer-*.safetensors"))
            if (Path.GetFileName(old) != stateFile) File.Delete(old);
    }

    /// <summary>True when <paramref name="folder"/> holds a checkpoint.</summary>
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ModelFile));

    /// <summary>Loads weights into <paramref name="model"/> and, when given, the optimizer state.</summary>
    public static Info Load(string folder, Sequential model, Optimizer? optimizer)
    {
        string path = Path.Combine(folder, ModelFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at {path}.", path);
        var (tensors, metadata) = SafeTensors.Read(path);
        var byName = tensors.ToDictionary(t => t.Name);
        foreach (var p in model.NamedParameters)
        {
            if (!byName.TryGetValue(p.Name, out var t))
                throw new InvalidDataException($"{path}: the checkpoint has no tensor '{p.Name}' (is it for another model?).");
            if (!t.Shape.AsSpan().SequenceEqual(p.Tensor.Shape))
                throw new InvalidDataException($"{path}: tensor '{p.Name}' has shape {Tensor.Format(t.Shape)}, the model needs {p.Tensor.ShapeString}.");
            t.Data.AsSpan().CopyTo(p.Tensor.Values);
        }
        int iteration = int.Parse(Required(metadata, "iteration", path), CultureInfo.InvariantCulture);

        if (optimizer != null)
        {
            string kind = Required(metadata, "optimizer", path);
            if (kind != optimizer.GetType().Name)
                throw new InvalidDataException($"{path}: the run used {kind} as its inner optimizer, not {optimizer.GetType().Name} (check --sgd).");
            string statePath = Path.Combine(folder, Required(metadata, "optimizer_state_file", path));
            if (!File.Exists(statePath)) throw new FileNotFoundException($"The checkpoint's optimizer state {statePath} is missing.", statePath);
            var (state, stateMeta) = SafeTensors.Read(statePath);
            if (Required(stateMeta, "iteration", statePath) != Invariant(iteration))
                throw new InvalidDataException($"{statePath} is for iteration {stateMeta["iteration"]}, the model for {iteration}.");
            var stateByName = state.ToDictionary(t => t.Name);
            foreach (var (name, values) in optimizer.State)
            {
                if (!stateByName.TryGetValue(name, out var t) || t.Data.Length != values.Length)
                    throw new InvalidDataException($"{statePath}: optimizer state '{name}' is missing or has the wrong size.");
                t.Data.AsSpan().CopyTo(values);
            }
            optimizer.StepCount = long.Parse(Required(metadata, "optimizer_step", path), CultureInfo.InvariantCulture);
        }
        return new Info(iteration, metadata);
    }

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{path}: the checkpoint metadata has no '{key}'.");

    private static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
}
