namespace Reptile.Meta;

/// <summary>
/// Decides where the tasks of a meta-batch run: in order on the calling thread (<see cref="InOrderScheduler"/>),
/// on worker threads (<see cref="ThreadedScheduler"/>), or spread over processes. Whatever it decides, the
/// results are those of running the tasks in order: each task's randomness comes from (seed, iteration, task).
/// </summary>
public interface IMetaBatchScheduler
{
    /// <summary>How many tasks this process runs at once: the trainer keeps one model replica per worker.</summary>
    int Workers { get; }

    /// <summary>Runs every task of <paramref name="batch"/> (<see cref="MetaBatch.RunTask"/>); on return, every
    /// task's results are in the batch's buffers on this process.</summary>
    void Run(MetaBatch batch);
}
