using Reptile.Meta;

namespace Reptile.Distributed;

/// <summary>
/// The processes of an `mpirun` launch (MPI_COMM_WORLD) as the engine's <see cref="IProcessGroup"/>. Give it to
/// <see cref="FewShotExperiment"/> or to a <see cref="DistributedScheduler"/> in a program started with
/// <c>mpirun -np R</c>: every rank runs the same program, each computes its share of a meta-batch, and all hold the
/// same φ, equal bit for bit to a one-process run. Collectives must be called from the thread that created the group.
/// </summary>
public sealed class MpiProcessGroup : IProcessGroup, IDisposable
{
    private readonly MpiLibrary mpi;
    private readonly bool ownsInitialization;
    private readonly int[] displacements;
    private bool disposed;

    /// <inheritdoc/>
    public int Rank { get; }
    /// <inheritdoc/>
    public int Size { get; }

    private MpiProcessGroup(MpiLibrary mpi)
    {
        this.mpi = mpi;
        ownsInitialization = mpi.Initialize();
        (Rank, Size) = (mpi.Rank(), mpi.Size());
        displacements = new int[Size];
    }

    /// <summary>True when this process was started by mpirun (Open MPI's, or another PMI launcher's, environment).</summary>
    public static bool IsLaunchedByMpirun =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PMIX_RANK"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PMI_SIZE"));

    /// <summary>Loads Open MPI, initialises it (unless the program already has) and returns MPI_COMM_WORLD.</summary>
    /// <exception cref="MpiException">No usable MPI library, or initialisation failed.</exception>
    public static MpiProcessGroup InitializeWorld() => new(MpiLibrary.Load());

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="counts"/> has not one entry per rank,
    /// <paramref name="mine"/> is not this rank's count, or the counts do not add up to the length of
    /// <paramref name="all"/>.</exception>
    /// <exception cref="MpiException">MPI_Allgatherv failed.</exception>
    public void AllGather(ReadOnlySpan<byte> mine, Span<byte> all, ReadOnlySpan<int> counts)
    {
        if (counts.Length != Size) throw new ArgumentException($"One count per rank ({Size}) is needed.", nameof(counts));
        if (mine.Length != counts[Rank]) throw new ArgumentException($"Rank {Rank} contributes {mine.Length} bytes, counts say {counts[Rank]}.", nameof(mine));
        long at = 0;
        for (int q = 0; q < Size; q++)
        {
            displacements[q] = (int)at;
            at += counts[q];
        }
        if (at != all.Length) throw new ArgumentException($"The counts add up to {at} bytes; the receive buffer has {all.Length}.", nameof(all));
        mpi.AllGatherBytes(mine, all, counts, displacements);
    }

    /// <inheritdoc/>
    /// <exception cref="MpiException">MPI_Bcast failed.</exception>
    public void Broadcast(Span<byte> data, int root) => mpi.BroadcastBytes(data, root);

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier() => mpi.Barrier();

    /// <summary>Ends every rank of the job with <paramref name="exitCode"/> (what a rank that failed must do, or the
    /// others would wait for it forever).</summary>
    public void Abort(int exitCode) => mpi.Abort(exitCode);

    /// <summary>MPI_Finalize, if this group initialised MPI.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (ownsInitialization) mpi.FinalizeMpi();
    }
}
