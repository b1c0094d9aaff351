using Reptile.Threading;

namespace Reptile.Meta;

/// <summary>
/// Runs a meta-batch's tasks one after another on the calling thread (supervised-reptile's order; the only
/// order chained inner state allows), with <see cref="Threads"/> threads splitting each task's large products.
/// </summary>
public sealed class InOrderScheduler(int threads = 1) : IMetaBatchScheduler
{
    /// <summary>Threads that split each task's large products, at least 1.</summary>
    public int Threads { get; } = threads >= 1 ? threads : throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");

    /// <inheritdoc/>
    /// <remarks>Always 1: tasks run one after another.</remarks>
    public int Workers => 1;

    /// <inheritdoc/>
    public void Run(MetaBatch batch)
    {
        using var split = WorkerPool.Use(Threads);
        for (int t = 0; t < batch.Count; t++) batch.RunTask(0, t);
    }
}
