using System.Runtime.InteropServices;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// Divides a meta-batch's tasks among the processes of a group (contiguous blocks: 5 tasks on 2 processes are 0–1
/// and 2–4), runs this process's block with <see cref="Threads"/> threads, then gathers every task's results in task
/// order, so every process holds all of them and makes the same meta-update: φ stays identical on every process and
/// equal, bit for bit, to one process's, because nothing is summed across processes in an order the transport
/// chooses. Exchanged per task: its weights W_t, its loss and its final inner-optimizer state. Tasks must be
/// independent (averaged inner state): chained state makes each task wait for the previous one.
/// </summary>
public sealed class DistributedScheduler : IMetaBatchScheduler
{
    private readonly IProcessGroup group;
    private readonly int[] counts;
    private byte[] mine = [], all = [];

    /// <summary>Threads this process runs its block on.</summary>
    public int Threads { get; }
    /// <inheritdoc/>
    /// <remarks>Always 1: the tasks of this process's block run one at a time, their products split over
    /// <see cref="Threads"/> threads.</remarks>
    public int Workers => 1;

    /// <summary>A scheduler sharing each meta-batch among the processes of <paramref name="group"/>.</summary>
    /// <param name="group">The processes of the run; every one must run the same trainer with the same options.</param>
    /// <param name="threads">Threads this process uses, at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="group"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public DistributedScheduler(IProcessGroup group, int threads = 1)
    {
        this.group = group ?? throw new ArgumentNullException(nameof(group));
        Threads = threads >= 1 ? threads : throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
        counts = new int[group.Size];
    }

    /// <summary>The error for chained state, shared by every front end.</summary>
    public static string ChainedStateRefusal =>
        "Chained inner state (each task of a meta-batch continues the previous task's Adam state, as supervised-reptile does) " +
        "cannot be divided among processes: every task would wait for the one before it. Use averaged inner state " +
        $"({nameof(ReptileOptions)}.{nameof(ReptileOptions.InnerState)} = {nameof(InnerStateMode.Averaged)}), whose tasks all start from the same state.";

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The batch's tasks chain their inner state (see
    /// <see cref="ChainedStateRefusal"/>).</exception>
    public void Run(MetaBatch batch)
    {
        if (!batch.TasksAreIndependent) throw new InvalidOperationException(ChainedStateRefusal);
        int size = group.Size, rank = group.Rank;
        int from = ProcessShares.Start(batch.Count, size, rank), to = ProcessShares.Start(batch.Count, size, rank + 1);
        using (Threading.WorkerPool.Use(Threads))
            for (int t = from; t < to; t++) batch.RunTask(0, t);

        long taskBytes = TaskBytes(batch);
        if (taskBytes * batch.Count > int.MaxValue)
            throw new InvalidOperationException($"A meta-batch's results ({taskBytes * batch.Count} bytes) exceed what one gather can move (2 GiB).");
        int bytes = (int)taskBytes;
        for (int q = 0; q < size; q++)
            counts[q] = (ProcessShares.Start(batch.Count, size, q + 1) - ProcessShares.Start(batch.Count, size, q)) * bytes;
        if (all.Length != bytes * batch.Count) all = new byte[bytes * batch.Count];
        if (mine.Length < counts[rank]) mine = new byte[counts[rank]];
        for (int t = from; t < to; t++) Pack(batch, t, mine.AsSpan((t - from) * bytes, bytes));
        group.AllGather(mine.AsSpan(0, counts[rank]), all, counts);
        for (int t = 0; t < batch.Count; t++)
            if (t < from || t >= to) Unpack(batch, t, all.AsSpan(t * bytes, bytes));
    }

    private static long TaskBytes(MetaBatch batch)
    {
        long floats = batch.Weights[0].Length + 1L;
        foreach (var (_, values) in batch.States[0].LiveState) floats += values.Length;
        return 4 * floats + 8;
    }

    /// <summary>W_t, the loss, each state buffer a step reads, the step count.</summary>
    private static void Pack(MetaBatch batch, int t, Span<byte> block)
    {
        int at = Put(block, 0, batch.Weights[t]);
        at = Put(block, at, [batch.Losses[t]]);
        var state = batch.States[t];
        foreach (var (_, values) in state.LiveState) at = Put(block, at, values);
        MemoryMarshal.Write(block[at..], state.StepCount);
    }

    private static void Unpack(MetaBatch batch, int t, ReadOnlySpan<byte> block)
    {
        int at = Get(block, 0, batch.Weights[t]);
        Span<float> loss = stackalloc float[1];
        at = Get(block, at, loss);
        batch.Losses[t] = loss[0];
        Optimizer state = batch.States[t];
        foreach (var (_, values) in state.LiveState) at = Get(block, at, values);
        state.StepCount = MemoryMarshal.Read<long>(block[at..]);
    }

    private static int Put(Span<byte> block, int at, ReadOnlySpan<float> values)
    {
        MemoryMarshal.AsBytes(values).CopyTo(block[at..]);
        return at + 4 * values.Length;
    }

    private static int Get(ReadOnlySpan<byte> block, int at, Span<float> values)
    {
        block.Slice(at, 4 * values.Length).CopyTo(MemoryMarshal.AsBytes(values));
        return at + 4 * values.Length;
    }
}
