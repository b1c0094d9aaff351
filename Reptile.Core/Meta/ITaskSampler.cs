namespace Reptile.Meta;

/// <summary>
/// Where Reptile's tasks come from (sine waves, N-way K-shot classes, your own): draws a task and yields the
/// batches the inner loop trains on. An instance belongs to one worker and owns the buffers of the task it
/// drew last, so sampling allocates nothing in steady state; <see cref="Clone"/> makes another worker's.
/// </summary>
public interface ITaskSampler
{
    /// <summary>Draws a new task from <paramref name="rng"/> (replacing the previous one) and returns how many
    /// inner steps train on it.</summary>
    int Sample(Rng rng);

    /// <summary>The batch of inner step <paramref name="step"/> (0, 1, … in order) of the task drawn last: its
    /// inputs and its loss with the targets set. It may draw from <paramref name="rng"/> (shuffles).</summary>
    TaskBatch Batch(int step, Rng rng);

    /// <summary>A sampler over the same task distribution for another worker.</summary>
    ITaskSampler Clone();
}
