namespace Reptile.Meta;

/// <summary>Training produced a NaN or infinite loss: stopping beats silently training on garbage.</summary>
public sealed class TrainingDivergedException(int iteration, float loss)
    : Exception($"Training diverged at meta-iteration {iteration}: the inner loss is {loss}. Lower the learning rate or the meta step.")
{
    public int Iteration { get; } = iteration;
    public float Loss { get; } = loss;
}
