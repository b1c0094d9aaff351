namespace Reptile.Meta;

/// <summary>Where a long run is: reported every few iterations to whoever shows progress.</summary>
/// <param name="Iteration">Meta-iterations done by this training call (a resumed run counts from where it resumed).</param>
/// <param name="Total">Meta-iterations this training call runs in all.</param>
/// <param name="Loss">Mean inner-loop training loss of the last meta-iteration.</param>
/// <param name="Elapsed">Wall-clock time since this training call started.</param>
public readonly record struct TrainingProgress(int Iteration, int Total, float Loss, TimeSpan Elapsed)
{
    /// <summary>Estimated time left, from the mean time per iteration so far (null before the first).</summary>
    public TimeSpan? Remaining => Iteration == 0 ? null : Elapsed * ((Total - Iteration) / (double)Iteration);
}
