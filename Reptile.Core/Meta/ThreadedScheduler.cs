using Reptile.Autograd;

namespace Reptile.Meta;

/// <summary>
/// Runs independent tasks (averaged inner state) on <see cref="Workers"/> threads, worker w taking tasks
/// w, w + W, …; any assignment gives the same numbers. Worker 0 is the calling thread, the others dedicated task
/// threads kept between meta-iterations, so a meta-iteration allocates nothing. When one task is left over
/// (5 tasks on 2 workers), it runs last on its own with its products split across the threads, instead of
/// keeping the other workers idle for a whole task.
/// </summary>
public sealed class ThreadedScheduler : IMetaBatchScheduler
{
    private readonly WorkerThread<TaskSlot>[] threads;
    private MetaBatch? current;
    private int sharedFrom;

    public int Workers { get; }

    /// <param name="threads">Threads to use.</param>
    /// <param name="metaBatch">Tasks per meta-iteration: no more workers than tasks are started.</param>
    public ThreadedScheduler(int threads, int metaBatch)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
        if (metaBatch < 1) throw new ArgumentOutOfRangeException(nameof(metaBatch), metaBatch, "at least one task");
        Workers = Math.Min(threads, metaBatch);
        this.threads = new WorkerThread<TaskSlot>[Workers - 1];
        for (int i = 0; i < this.threads.Length; i++) this.threads[i] = new WorkerThread<TaskSlot>("Reptile task worker " + (i + 1));
    }

    public void Run(MetaBatch batch)
    {
        if (!batch.TasksAreIndependent)
            throw new InvalidOperationException("Chained inner state runs tasks in order: use the in-order scheduler, or averaged inner state.");
        current = batch;
        sharedFrom = batch.Count % Workers == 1 && Workers > 1 ? batch.Count - 1 : batch.Count;
        for (int w = 1; w < Workers; w++) threads[w - 1].Start(new TaskSlot(this, w));
        Exception? failure = null;
        try { RunWorker(0); }
        catch (Exception e) { failure = e; }
        // Every task thread reads this batch's buffers: wait for all of them, even after a failure.
        for (int w = 1; w < Workers; w++)
        {
            try { threads[w - 1].Wait(); }
            catch (AggregateException e) { failure ??= e.InnerException ?? e; }
        }
        current = null;
        if (failure != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        if (sharedFrom == batch.Count) return;
        using var split = IntraOpParallelism.Use(Workers);
        batch.RunTask(0, sharedFrom);
    }

    private void RunWorker(int w)
    {
        for (int t = w; t < sharedFrom; t += Workers) current!.RunTask(w, t);
    }

    /// <summary>Worker w's share of a meta-iteration, as a task thread runs it.</summary>
    private readonly struct TaskSlot(ThreadedScheduler scheduler, int worker) : IWorkItem
    {
        public void Run() => scheduler.RunWorker(worker);
    }
}
