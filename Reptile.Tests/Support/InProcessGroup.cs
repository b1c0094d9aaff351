using Reptile.Meta;

namespace Reptile.Tests.Support;

/// <summary>A process group whose "processes" are threads of this test: collectives meet at a barrier. Lets the
/// distributed code paths be tested bit for bit without MPI.</summary>
public sealed class InProcessGroup : IProcessGroup
{
    private readonly Shared shared;

    private InProcessGroup(Shared shared, int rank) => (this.shared, Rank) = (shared, rank);

    public int Rank { get; }
    public int Size => shared.Slots.Length;

    /// <summary>Runs <paramref name="body"/> once per rank, each on its own thread, and returns their results in rank
    /// order; the lowest rank's exception, if any, is rethrown here (a rank that fails before a collective the others
    /// entered would leave them waiting, as in MPI, so tests fail every rank alike).</summary>
    public static T[] Run<T>(int size, Func<IProcessGroup, T> body)
    {
        var shared = new Shared(size);
        var results = new T[size];
        var failures = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            try { results[r] = body(new InProcessGroup(shared, r)); }
            catch (Exception e) { failures[r] = e; }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (failures.FirstOrDefault(f => f != null) is { } failure)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return results;
    }

    public void AllGather(ReadOnlySpan<byte> mine, Span<byte> all, ReadOnlySpan<int> counts)
    {
        Assert.Equal(counts[Rank], mine.Length);
        shared.Slots[Rank] = mine.ToArray();
        shared.Barrier.SignalAndWait();
        int at = 0;
        for (int q = 0; q < Size; q++)
        {
            Assert.Equal(counts[q], shared.Slots[q].Length);
            shared.Slots[q].CopyTo(all[at..]);
            at += counts[q];
        }
        shared.Barrier.SignalAndWait();
    }

    public void Broadcast(Span<byte> data, int root)
    {
        if (Rank == root) shared.Slots[root] = data.ToArray();
        shared.Barrier.SignalAndWait();
        if (Rank != root) shared.Slots[root].CopyTo(data);
        shared.Barrier.SignalAndWait();
    }

    private sealed class Shared(int size)
    {
        public byte[][] Slots { get; } = new byte[size][];
        public Barrier Barrier { get; } = new(size);
    }
}
