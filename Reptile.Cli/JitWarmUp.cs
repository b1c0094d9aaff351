using System.Diagnostics;
using System.Runtime;

namespace Reptile.Cli;

/// <summary>
/// A benchmark's warm-up that lasts until the JIT is done. Tiered compilation recompiles the hot methods on a
/// background thread during a process's first second or two; timing during it measures the JIT too, and on a machine
/// with no more cores than timed threads that thread takes a core from them (a 2-thread meta-iteration read 3–10 %
/// slower on 2 cores). Under Native AOT nothing is compiled, so the minimum is all that runs.
/// </summary>
internal static class JitWarmUp
{
    /// <summary>How long no method may have been compiled before the timing starts.</summary>
    public static readonly TimeSpan QuietTime = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest warm-up, whatever the JIT does.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="step"/> at least <paramref name="minimum"/> times, then until no method has been
    /// compiled for <see cref="QuietTime"/> (at most <see cref="Limit"/> in all).</summary>
    public static void Run(Action step, int minimum)
    {
        var total = Stopwatch.StartNew();
        var quiet = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount();
        int steps = 0;
        while (steps < minimum || (quiet.Elapsed < QuietTime && total.Elapsed < Limit))
        {
            step();
            steps++;
            long now = JitInfo.GetCompiledMethodCount();
            if (now == compiled) continue;
            compiled = now;
            quiet.Restart();
        }
    }
}
