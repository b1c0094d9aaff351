using System.Text.Json;
using System.Text.Json.Serialization;
using Reptile.Data;
using Reptile.IO;
using Reptile.Layers;

namespace Reptile.Meta;

/// <summary>
/// What a checkpoint records about its model, so that it can be rebuilt and fine-tuned as it was meta-trained: the
/// layers (PyTorch's notation, e.g. <c>Conv2d(1, 64, kernel_size=3, stride=2, padding=1)</c>), the input (channels,
/// size, how pixels were encoded), the number of classes, the inner optimizer and the fine-tuning protocol.
/// </summary>
public sealed record ModelDescription
{
    /// <summary>The layers in order, as <see cref="Layer.ToString"/> writes them.</summary>
    public required IReadOnlyList<string> Layers { get; init; }
    /// <summary>Channels of the input images (1 gray, 3 RGB), from the training data; new images are converted to them.</summary>
    public int InputChannels { get; init; } = 1;
    /// <summary>Height of the input images.</summary>
    public required int InputHeight { get; init; }
    /// <summary>Width of the input images.</summary>
    public required int InputWidth { get; init; }
    /// <summary>How 8-bit pixels become input values.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PixelEncoding>))]
    public PixelEncoding Encoding { get; init; }
    /// <summary>The model's outputs: the N of its N-way tasks.</summary>
    public required int Classes { get; init; }
    /// <summary>
    /// The inner optimizer the model was meta-trained with; adaptation fine-tunes with the same (and its saved
    /// state).
    /// </summary>
    public required InnerOptimizerSettings InnerOptimizer { get; init; }
    /// <summary>How adaptation fine-tunes: the evaluation protocol the model was measured with.</summary>
    public required FineTuningSettings FineTuning { get; init; }
    /// <summary>True when the checkpoint had no description and this one was inferred from its tensors and options.</summary>
    [JsonIgnore] public bool Inferred { get; init; }

    /// <summary>The metadata key checkpoints store the description under (as JSON).</summary>
    public const string MetadataKey = "description";

    /// <summary>Builds the (initialised) model these layers describe.</summary>
    /// <exception cref="FormatException">A layer description this engine cannot read.</exception>
    public Sequential BuildModel() => new Sequential(Layers.Select(Layer.Parse).ToArray()).Initialize(new Rng(0));

    /// <summary>The description of a few-shot run's model, trained on <paramref name="trainSet"/>'s images.</summary>
    public static ModelDescription Of(Sequential model, FewShotDataset trainSet, FewShotOptions options) => new()
    {
        Layers = model.Layers.Select(l => l.ToString()!).ToArray(),
        InputChannels = trainSet.Channels,
        InputHeight = trainSet.Height,
        InputWidth = trainSet.Width,
        Encoding = trainSet.Encoding,
        Classes = options.Classes,
        InnerOptimizer = InnerOptimizerSettings.Of(options.CreateInnerOptimizer(model.ParameterCount)),
        FineTuning = new FineTuningSettings(options.EvalIters, options.EvalBatch, options.Replacement, options.WeightDecay, options.Transductive),
    };

    /// <summary>
    /// The description as the JSON stored in a checkpoint's metadata under <see cref="MetadataKey"/>.
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(this, CheckpointJson.Default.ModelDescription);

    /// <summary>The description stored in a checkpoint's metadata; <paramref name="path"/> names the file in errors.</summary>
    public static ModelDescription FromJson(string json, string path)
    {
        ModelDescription? description;
        try { description = JsonSerializer.Deserialize(json, CheckpointJson.Default.ModelDescription); }
        catch (JsonException e) { throw new InvalidFileException(path, null, MetadataKey, $"not a model description ({e.Message})", e); }
        if (description == null || description.Layers.Count == 0)
            throw new InvalidFileException(path, null, MetadataKey, "lists no layers");
        if (description.InputChannels is not (1 or 3))
            throw new InvalidFileException(path, null, MetadataKey, $"input channels {description.InputChannels} is not 1 (gray) or 3 (RGB)");
        if ( description.InputHeight < 1 || description.InputWidth < 1 || description.Classes < 1)
            throw new InvalidFileException(path, null, MetadataKey, "input size and classes must be positive");
        return description;
    }
}

/// <summary>Source-generated JSON for what checkpoints record (no reflection: trimming and Native AOT safe).</summary>
[JsonSerializable(typeof(ModelDescription))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
internal sealed partial class CheckpointJson : JsonSerializerContext;
