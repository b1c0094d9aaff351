using Reptile.Distributed;
using Reptile.Meta;

namespace Reptile.Cli;

/// <summary>
/// `mpirun -np R reptile …`: when launched by mpirun, the training commands join MPI_COMM_WORLD and divide their
/// work among the ranks. Rank 0 alone prints and writes files (the other ranks' standard output is dropped; their
/// errors still show, naming the rank). A rank that fails ends the whole job, or the others would wait for it.
/// </summary>
internal static class MpiLaunch
{
    private static MpiProcessGroup? world;

    /// <summary>The world group when launched by mpirun (initialised on first use), else null.</summary>
    public static IProcessGroup? Join()
    {
        if (world != null || !MpiProcessGroup.IsLaunchedByMpirun) return world;
        world = MpiProcessGroup.InitializeWorld();
        if (world.Rank != 0) Console.SetOut(TextWriter.Null);
        return world;
    }

    /// <summary>Ends MPI after a command: finalises on success, aborts the whole job on failure.</summary>
    public static int Finish(int exitCode)
    {
        if (world == null) return exitCode;
        if (exitCode != 0)
        {
            Console.Error.WriteLine($"rank {world.Rank} of {world.Size} failed (exit code {exitCode}): stopping every rank.");
            Console.Error.Flush();
            world.Abort(exitCode);
        }
        world.Dispose();
        world = null;
        return exitCode;
    }

    /// <summary>The usage error for chained inner state under MPI, in the CLI's terms.</summary>
    public static string ChainedStateRefusal =>
        "--inner-state Chained (supervised-reptile's: each task of a meta-batch continues the previous task's Adam state) cannot be " +
        "divided among MPI ranks, since every task would wait for the one before it: pass --inner-state Averaged.";
}
