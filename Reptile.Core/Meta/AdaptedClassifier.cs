using Reptile.Data;
using Reptile.Layers;

namespace Reptile.Meta;

/// <summary>
/// A model fine-tuned on one support set
/// (<see cref="FewShotClassifier.Adapt(IEnumerable{LabelledImage}, AdaptationOptions?)"/>), predicting its labels. Batch norm
/// uses the statistics of the batch it sees, as in supervised-reptile: by default each query is predicted in one
/// batch with the support examples (the library's non-transductive evaluation), so a query's prediction does not
/// depend on the other queries; <see cref="Transductive"/> predicts a list of queries together. Not thread-safe:
/// adapt once per thread.
/// </summary>
public sealed class AdaptedClassifier
{
    private readonly FewShotClassifier classifier;
    private readonly Sequential model;
    private readonly FewShotTaskSampler tasks;
    private readonly int supportCount;
    private float[] logits = [];

    internal AdaptedClassifier(FewShotClassifier classifier, Sequential model, FewShotTaskSampler tasks, IReadOnlyList<string> labels, bool transductive)
    {
        (this.classifier, this.model, this.tasks, Labels, Transductive) = (classifier, model, tasks, labels, transductive);
        supportCount = tasks.Task.Count;
    }

    /// <summary>The support set's labels, in order of first appearance: the order of every prediction's probabilities.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Whether <see cref="Predict(IReadOnlyList{PixelImage})"/> predicts its queries as one batch.</summary>
    public bool Transductive { get; }

    /// <summary>The fine-tuned weights (a copy of the meta-learned model's layout).</summary>
    public ReadOnlySpan<float> Parameters => model.Parameters;

    /// <summary>The label of one query image.</summary>
    public Prediction Predict(PixelImage query) => Predict([query])[0];

    /// <summary>The labels of <paramref name="queries"/>, each predicted with the support examples or, when
    /// <see cref="Transductive"/>, all in one batch.</summary>
    public IReadOnlyList<Prediction> Predict(IReadOnlyList<PixelImage> queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Count == 0) return [];
        var task = tasks.Task;
        task.Resize(supportCount + queries.Count, task.Channels, task.Height, task.Width, keep: supportCount);
        var held = new int[queries.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            classifier.Encode(queries[q], task.WritableImage(supportCount + q));
            held[q] = supportCount + q;
        }
        tasks.SetHeldOut(held);
        int ways = Labels.Count;
        if (logits.Length < queries.Count * ways) logits = new float[queries.Count * ways];
        tasks.PredictHeldOut(model, Transductive, logits);
        var predictions = new Prediction[queries.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            var probabilities = Softmax(logits.AsSpan(q * ways, ways));
            predictions[q] = new Prediction(Labels[FewShotEvaluator.ArgMax(logits.AsSpan(q * ways, ways))], probabilities);
        }
        return predictions;
    }

    private static float[] Softmax(ReadOnlySpan<float> row)
    {
        var p = new float[row.Length];
        double max = double.NegativeInfinity, sum = 0;
        foreach (var v in row) max = Math.Max(max, v);
        for (int i = 0; i < row.Length; i++) sum += p[i] = (float)Math.Exp(row[i] - max);
        for (int i = 0; i < row.Length; i++) p[i] = (float)(p[i] / sum);
        return p;
    }
}
