namespace Reptile.Layers;

/// <summary>
/// How an inference pass's batch is made: <see cref="Count"/> equal, contiguous groups of samples, each standing for
/// a batch of its own. Batch norm takes its statistics per group, and every layer that runs groups together gives each
/// group's outputs bit for bit as a pass over that group alone (<see cref="Layer.KeepsGroupsApart"/>): several
/// non-transductive predictions in one pass. One group is an ordinary batch.
/// </summary>
internal readonly record struct BatchGroups(int Count)
{
    /// <summary>An ordinary batch.</summary>
    public static BatchGroups One => new(1);
}
