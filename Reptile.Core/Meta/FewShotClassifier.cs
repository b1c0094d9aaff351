using Reptile.Data;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// A meta-trained model as an app uses it: load a checkpoint,
/// <see cref="Adapt(IEnumerable{LabelledImage}, AdaptationOptions?)"/> to a few labelled examples of new
/// classes, then <see cref="AdaptedClassifier.Predict(PixelImage)"/>. The model is rebuilt from the checkpoint's own
/// description; fine-tuning is the one it was meta-trained and evaluated with (steps, batch, inner optimizer and its
/// meta-trained state), the same code path as the library's evaluation. Adapting never changes the loaded
/// initialisation: one instance serves any number of adaptations, from any number of threads at once (each
/// adaptation works on its own copy; an <see cref="AdaptedClassifier"/> is for one thread at a time).
/// </summary>
public sealed class FewShotClassifier
{
    private readonly Sequential initial;
    private readonly Optimizer? state;

    /// <summary>What the checkpoint says about the model (layers, input, classes, optimizer, fine-tuning).</summary>
    public ModelDescription Description { get; }
    /// <summary>Meta-iterations the checkpoint was trained for.</summary>
    public int MetaIterations { get; }

    private FewShotClassifier(Sequential initial, Optimizer? state, ModelDescription description, int metaIterations) =>
        (this.initial, this.state, Description, MetaIterations) = (initial, state, description, metaIterations);

    /// <summary>Loads the checkpoint in <paramref name="checkpointFolder"/> (what <c>reptile omniglot</c> and <c>reptile
    /// images</c> write), with its inner optimizer state when the folder has it.</summary>
    /// <param name="checkpointFolder">The folder holding model.safetensors.</param>
    /// <param name="legacyInputSize">For checkpoints written before they described their model: the side of the images
    /// the model was trained on (default: inferred, see <see cref="ReptileCheckpoint.ReadDescription"/>).</param>
    /// <exception cref="IO.InvalidFileException">A bad or inconsistent checkpoint, naming the file and field.</exception>
    public static FewShotClassifier Load(string checkpointFolder, int? legacyInputSize = null)
    {
        var description = ReptileCheckpoint.ReadDescription(checkpointFolder, legacyInputSize);
        var path = Path.Combine(checkpointFolder, ReptileCheckpoint.ModelFile);
        Sequential model;
        try { model = description.BuildModel(); }
        catch (FormatException e) { throw new IO.InvalidFileException(path, null, ModelDescription.MetadataKey, e.Message, e); }
        if (model.Layers[^1] is not Linear { OutFeatures: var outputs } || outputs != description.Classes)
            throw new IO.InvalidFileException(path, null, ModelDescription.MetadataKey, $"the layers do not end in a Linear layer of {description.Classes} outputs");
        if (model.Layers[0] is Conv2d { InChannels: var inputs } && inputs != description.InputChannels)
            throw new IO.InvalidFileException(path, null, ModelDescription.MetadataKey,
                $"the first layer takes {inputs} channel(s) but the input is described as {description.InputChannels}");
        var optimizer = description.InnerOptimizer.Create(model.ParameterCount);
        var info = ReptileCheckpoint.Load(checkpointFolder, model, optimizer);
        return new FewShotClassifier(model, optimizer, description, info.Iteration);
    }

    /// <summary>Fine-tunes a copy of the model on <paramref name="support"/> (a few labelled examples of each new
    /// class; images are resized to the model's input as its training data was) and returns it, ready to predict.</summary>
    /// <exception cref="ArgumentException">No examples, or another number of labels than the model's classes (unless
    /// <see cref="AdaptationOptions.ReinitializeOutputLayer"/>).</exception>
    public AdaptedClassifier Adapt(IEnumerable<LabelledImage> support, AdaptationOptions? options = null)
    {
        options ??= new AdaptationOptions();
        return Adapt(support, options, new Rng(options.Seed));
    }

    /// <summary><see cref="Adapt(IEnumerable{LabelledImage}, AdaptationOptions?)"/> drawing the batches from
    /// <paramref name="rng"/> (the evaluator's tests continue a task's stream here).</summary>
    internal AdaptedClassifier Adapt(IEnumerable<LabelledImage> support, AdaptationOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(support);
        options.Validate();
        var examples = support.ToArray();
        if (examples.Length == 0) throw new ArgumentException("Adapting needs at least one labelled example.", nameof(support));
        var labels = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in examples)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(support));
            ArgumentNullException.ThrowIfNull(e.Label, nameof(support));
            if (index.TryAdd(e.Label, labels.Count)) labels.Add(e.Label);
        }
        if (labels.Count != Description.Classes && !options.ReinitializeOutputLayer)
            throw new ArgumentException(
                $"The support set has {labels.Count} labels; the model was meta-trained for {Description.Classes}-way tasks. Give {Description.Classes} labels, " +
                $"or set {nameof(AdaptationOptions)}.{nameof(AdaptationOptions.ReinitializeOutputLayer)} to train a new output layer (less accurate).", nameof(support));

        var (model, optimizer) = options.ReinitializeOutputLayer ? CopyWithNewOutputLayer(labels.Count, options) : Copy(options);
        var task = new FewShotTask();
        task.Resize(examples.Length, Description.InputChannels, Description.InputHeight, Description.InputWidth);
        for (int i = 0; i < examples.Length; i++)
        {
            Encode(examples[i].Image, task.WritableImage(i));
            task.SetLabel(i, index[examples[i].Label]);
        }
        var tuning = Description.FineTuning;
        var tasks = new FewShotTaskSampler(task, labels.Count, options.BatchSize ?? tuning.BatchSize, options.Steps ?? tuning.Steps, tuning.Replacement,
            Enumerable.Range(0, examples.Length).ToArray(), []);
        new InnerLoop(tuning.WeightDecayRate).Run(model, optimizer, tasks, rng);
        return new AdaptedClassifier(this, model, tasks, labels, options.Transductive ?? tuning.Transductive);
    }

    /// <summary>Writes <paramref name="image"/> as the model's input: converted to the model's channels, resized and
    /// encoded as the training data was (<see cref="ImageFolderDataset"/>: nearest for gray, area for colour).</summary>
    internal void Encode(PixelImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        image.ToChannels(Description.InputChannels).Resize(Description.InputWidth, Description.InputHeight).Encode(Description.Encoding, destination);
    }

    private (Sequential, Optimizer) Copy(AdaptationOptions options)
    {
        var model = initial.Clone();
        var optimizer = options.UseOptimizerState && state != null ? state.Clone() : Description.InnerOptimizer.Create(model.ParameterCount);
        return (model, optimizer);
    }

    /// <summary>The model with its last (Linear) layer replaced by one of <paramref name="classes"/> outputs, freshly
    /// initialised from the seed; the optimizer state of the kept layers is kept, the new layer's starts at zero.</summary>
    private (Sequential, Optimizer) CopyWithNewOutputLayer(int classes, AdaptationOptions options)
    {
        var last = (Linear)initial.Layers[^1];
        var layers = initial.Layers.Take(initial.Layers.Count - 1).Select(l => l.CloneConfiguration()).Append(new Linear(last.InFeatures, classes)).ToArray();
        var model = new Sequential(layers).Initialize(Rng.Derive(options.Seed, 0x0F7A)); // a stream of its own, apart from the batches
        int kept = initial.ParameterCount - last.InFeatures * last.OutFeatures - last.OutFeatures;
        initial.Parameters.AsSpan(0, kept).CopyTo(model.Parameters);
        var optimizer = Description.InnerOptimizer.Create(model.ParameterCount);
        if (options.UseOptimizerState && state != null)
        {
            for (int k = 0; k < optimizer.State.Count; k++) state.State[k].Values.AsSpan(0, kept).CopyTo(optimizer.State[k].Values);
            optimizer.StepCount = state.StepCount;
        }
        return (model, optimizer);
    }
}
