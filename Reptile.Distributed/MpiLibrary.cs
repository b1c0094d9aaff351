using System.Runtime.InteropServices;

namespace Reptile.Distributed;

/// <summary>
/// The few Open MPI entry points the engine needs, bound at run time: the shared library is found with
/// <see cref="NativeLibrary"/> (so nothing about MPI is needed to build, and a machine without it gets a clear
/// error), and Open MPI's predefined handles (MPI_COMM_WORLD, MPI_BYTE, MPI_ERRORS_RETURN) are the addresses of
/// exported objects. Every call's return code becomes an <see cref="MpiException"/> naming the call.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    /// <summary>Set this variable to the MPI library's path to override the search.</summary>
    public const string PathVariable = "REPTILE_MPI_LIBRARY";
    private static readonly string[] Candidates = ["libmpi.so.40", "libmpi.so", "libmpi.40.dylib", "libmpi.dylib"];
    private const int ThreadFunneled = 1, MaxErrorString = 256;

    public nint CommWorld { get; }
    public nint Byte { get; }
    private readonly nint errorsReturn;

    private readonly delegate* unmanaged<int*, int> initialized, finalized;
    private readonly delegate* unmanaged<int*, nint, int, int*, int> initThread;
    private readonly delegate* unmanaged<int> finalize;
    private readonly delegate* unmanaged<nint, int*, int> commRank, commSize;
    private readonly delegate* unmanaged<nint, nint, int> commSetErrhandler;
    private readonly delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int> allgatherv;
    private readonly delegate* unmanaged<void*, int, nint, int, nint, int> bcast;
    private readonly delegate* unmanaged<nint, int> barrier;
    private readonly delegate* unmanaged<nint, int, int> abort;
    private readonly delegate* unmanaged<int, byte*, int*, int> errorString;

    private MpiLibrary(nint handle)
    {
        nint Export(string name) =>
            NativeLibrary.TryGetExport(handle, name, out var address) ? address
            : throw new MpiException($"The MPI library has no '{name}': Reptile.Distributed needs Open MPI (4.x or later).");
        CommWorld = Export("ompi_mpi_comm_world");
        Byte = Export("ompi_mpi_byte");
        errorsReturn = Export("ompi_mpi_errors_return");
        initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        initThread = (delegate* unmanaged<int*, nint, int, int*, int>)Export("MPI_Init_thread");
        finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        commRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        commSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        commSetErrhandler = (delegate* unmanaged<nint, nint, int>)Export("MPI_Comm_set_errhandler");
        allgatherv = (delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int>)Export("MPI_Allgatherv");
        bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export("MPI_Bcast");
        barrier = (delegate* unmanaged<nint, int>)Export("MPI_Barrier");
        abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        errorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
    }

    /// <summary>Loads Open MPI from <see cref="PathVariable"/> or the usual names.</summary>
    public static MpiLibrary Load()
    {
        var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        foreach (var name in string.IsNullOrEmpty(explicitPath) ? Candidates : [explicitPath])
            if (NativeLibrary.TryLoad(name, out var handle)) return new MpiLibrary(handle);
        throw new MpiException(string.IsNullOrEmpty(explicitPath)
            ? $"No MPI library found (tried {string.Join(", ", Candidates)}). Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) or set {PathVariable} to libmpi's path."
            : $"{PathVariable}={explicitPath} could not be loaded.");
    }

    /// <summary>MPI_Init_thread (funneled: only the initialising thread calls MPI), unless MPI is already initialised;
    /// errors then return to the caller instead of aborting the job.</summary>
    public bool Initialize()
    {
        int flag;
        Check(initialized(&flag), "MPI_Initialized");
        if (flag != 0) return false;
        int provided;
        Check(initThread(null, 0, ThreadFunneled, &provided), "MPI_Init_thread");
        Check(commSetErrhandler(CommWorld, errorsReturn), "MPI_Comm_set_errhandler");
        return true;
    }

    public void FinalizeMpi()
    {
        int flag;
        Check(finalized(&flag), "MPI_Finalized");
        if (flag == 0) Check(finalize(), "MPI_Finalize");
    }

    public int Rank()
    {
        int rank;
        Check(commRank(CommWorld, &rank), "MPI_Comm_rank");
        return rank;
    }

    public int Size()
    {
        int size;
        Check(commSize(CommWorld, &size), "MPI_Comm_size");
        return size;
    }

    public void AllGatherBytes(ReadOnlySpan<byte> mine, Span<byte> all, ReadOnlySpan<int> counts, ReadOnlySpan<int> displacements)
    {
        fixed (byte* s = mine, r = all)
        fixed (int* c = counts, d = displacements)
            Check(allgatherv(s, mine.Length, Byte, r, c, d, Byte, CommWorld), "MPI_Allgatherv");
    }

    public void BroadcastBytes(Span<byte> data, int root)
    {
        fixed (byte* p = data) Check(bcast(p, data.Length, Byte, root, CommWorld), "MPI_Bcast");
    }

    public void Barrier() => Check(barrier(CommWorld), "MPI_Barrier");

    public void Abort(int code) => Check(abort(CommWorld, code), "MPI_Abort");

    private void Check(int code, string call)
    {
        if (code == 0) return;
        var text = stackalloc byte[MaxErrorString];
        int length = 0;
        string description = errorString(code, text, &length) == 0 ? System.Text.Encoding.UTF8.GetString(text, Math.Clamp(length, 0, MaxErrorString)) : "(no description)";
        throw new MpiException(call, code, description);
    }
}
