namespace Reptile.Threading;

/// <summary>
/// The work of a <see cref="WorkerPool.For{TBody}"/>: indices [from, to) of its range. Called concurrently on
/// disjoint ranges, so it only reads its own fields and writes what its range owns.
/// </summary>
internal interface IRangeBody
{
    void Run(int from, int to);
}
