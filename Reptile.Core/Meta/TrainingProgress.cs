namespace Reptile.Meta;

/// <summary>Where a long run is: reported every few iterations to whoever shows progress.</summary>
public readonly record struct TrainingProgress(int Iteration, int Total, float Loss, TimeSpan Elapsed)
{
    public TimeSpan? Remaining => Iteration == 0 ? null : Elapsed * ((Total - Iteration) / (double)Iteration);
}
