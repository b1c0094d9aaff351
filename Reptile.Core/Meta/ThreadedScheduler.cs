using Reptile.Threading;

namespace Reptile.Meta;

/// <summary>
/// Runs independent tasks (averaged inner state) on <see cref="Workers"/> threads of the worker pool, worker w
/// taking tasks w, w + W, …; any assignment gives the same numbers. Worker 0 is the calling thread. When one task is
/// left over (5 tasks on 2 workers), it runs last on its own with its products split across the threads, instead
/// of keeping the other workers idle for a whole task.
/// </summary>
public sealed class ThreadedScheduler : IMetaBatchScheduler
{
    /// <inheritdoc/>
    /// <remarks>The smaller of the threads and the meta-batch.</remarks>
    public int Workers { get; }

    /// <param name="threads">Threads to use.</param>
    /// <param name="metaBatch">Tasks per meta-iteration: no more workers than tasks are used.</param>
    public ThreadedScheduler(int threads, int metaBatch)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
        if (metaBatch < 1) throw new ArgumentOutOfRangeException(nameof(metaBatch), metaBatch, "at least one task");
        Workers = Math.Min(threads, metaBatch);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The batch's tasks chain their inner state.</exception>
    public void Run(MetaBatch batch)
    {
        if (!batch.TasksAreIndependent)
            throw new InvalidOperationException("Chained inner state runs tasks in order: use the in-order scheduler, or averaged inner state.");
        int shared = batch.Count % Workers == 1 && Workers > 1 ? batch.Count - 1 : batch.Count;
        using (WorkerPool.Use(Workers))
        {
            // Each worker's tasks run on its own thread, their ops unsplit (a pool part runs nested Fors inline).
            WorkerPool.For(Workers, 1, long.MaxValue, new TaskWorkers(batch, Workers, shared));
            if (shared < batch.Count) batch.RunTask(0, shared);
        }
    }

    /// <summary>Workers [from, to) of a meta-iteration: worker w runs tasks w, w + W, … below the shared one.</summary>
    private readonly struct TaskWorkers(MetaBatch batch, int workers, int shared) : IRangeBody
    {
        public void Run(int from, int to)
        {
            for (int w = from; w < to; w++)
                for (int t = w; t < shared; t += workers) batch.RunTask(w, t);
        }
    }
}
