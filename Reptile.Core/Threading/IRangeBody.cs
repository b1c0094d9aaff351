namespace Reptile.Threading;

/// <summary>
/// The work of a <see cref="WorkerPool.For{TBody}(int, int, long, in TBody)"/>: indices [from, to) of its range.
/// Called concurrently on disjoint ranges, several times per thread and in no fixed order, so it only reads its own
/// fields and writes what its range owns, and computes the same bits wherever the cuts fall.
/// </summary>
internal interface IRangeBody
{
    void Run(int from, int to);
}
