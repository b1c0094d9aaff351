namespace Reptile.Meta;

/// <summary>A query's predicted label and the probabilities of every label of the support set (in
/// <see cref="AdaptedClassifier.Labels"/> order; they sum to 1).</summary>
/// <param name="Label">The most probable label.</param>
/// <param name="Probabilities">The softmax probability of each support label, in <see
/// cref="AdaptedClassifier.Labels"/> order.</param>
public sealed record Prediction(string Label, IReadOnlyList<float> Probabilities)
{
    /// <summary>The probability of the predicted label.</summary>
    public float Confidence => Probabilities.Max();
}
