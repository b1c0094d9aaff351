namespace Reptile.Meta;

/// <summary>
/// The processes that share one run (MPI ranks, say): each knows its <see cref="Rank"/> among <see cref="Size"/>.
/// The engine only needs two collective operations, both deterministic whatever the transport: gathering every
/// process's bytes in rank order, and copying one process's bytes to all. Every process must make the same calls
/// in the same order.
/// </summary>
public interface IProcessGroup
{
    /// <summary>This process's index, 0 … <see cref="Size"/> − 1. Rank 0 alone prints and writes files.</summary>
    int Rank { get; }

    /// <summary>How many processes share the run.</summary>
    int Size { get; }

    /// <summary>Every process contributes <paramref name="mine"/> (<paramref name="counts"/>[Rank] bytes); on return
    /// <paramref name="all"/> holds every process's bytes, process q's at the sum of counts[0 … q − 1].</summary>
    void AllGather(ReadOnlySpan<byte> mine, Span<byte> all, ReadOnlySpan<int> counts);

    /// <summary>Copies process <paramref name="root"/>'s <paramref name="data"/> into every process's.</summary>
    void Broadcast(Span<byte> data, int root);
}
