namespace Reptile.Meta;

/// <summary>Training produced a NaN or infinite loss, or parameters that are not finite: stopping beats silently
/// training on (and saving) garbage. φ is left as the failed meta-update made it, so nothing should be saved.</summary>
public sealed class TrainingDivergedException(int iteration, float loss, bool parametersFinite = true)
    : Exception(parametersFinite
        ? $"Training diverged at meta-iteration {iteration}: the inner loss is {loss}. Lower the learning rate or the meta step."
        : $"Training diverged at meta-iteration {iteration}: the meta-update left parameters that are not finite (inner loss {loss}). Lower the learning rate or the meta step.")
{
    /// <summary>The meta-iteration (0-based) that diverged.</summary>
    public int Iteration { get; } = iteration;
    /// <summary>The meta-iteration's mean inner loss.</summary>
    public float Loss { get; } = loss;
    /// <summary>False when the loss was finite but the parameters were not.</summary>
    public bool ParametersFinite { get; } = parametersFinite;
}
