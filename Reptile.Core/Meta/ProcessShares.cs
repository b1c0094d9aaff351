namespace Reptile.Meta;

/// <summary>How work items are divided among a group's processes: contiguous blocks in item order, sizes differing
/// by at most one, so gathering the blocks in rank order puts every item back in its place.</summary>
public static class ProcessShares
{
    /// <summary>The first item of process <paramref name="rank"/>'s block (and, for rank = size, the item count).</summary>
    public static int Start(int items, int size, int rank) => (int)((long)items * rank / size);
}
