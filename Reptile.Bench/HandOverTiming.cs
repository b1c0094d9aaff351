using System.Diagnostics;
using Reptile.Threading;

namespace Reptile.Bench;

/// <summary>
/// `handover [--calls N]`: what one <see cref="WorkerPool.For"/> on two threads costs beyond its work — the price of
/// every split an op makes in the chained (intra-op) mode. Times calls whose parts do nothing, then calls whose parts
/// each spin for a fixed time, back to back and with a gap of single-threaded work between calls (as between a
/// step's ops), and prints the median per call.
/// </summary>
internal static class HandOverTiming
{
    public static int Run(string[] args)
    {
        int calls = args.SkipWhile(a => a != "--calls").Skip(1).Select(int.Parse).FirstOrDefault(20000);
        using (WorkerPool.Use(2))
        {
            foreach (var (work, gap) in new[] { (0, 0), (0, 5), (0, 20), (10, 0), (10, 20) })
            {
                var times = new double[calls];
                var body = new Spin(work);
                for (int i = 0; i < calls / 10; i++) WorkerPool.For(2, 1, long.MaxValue, in body);
                for (int i = 0; i < calls; i++)
                {
                    SpinFor(gap);
                    long start = Stopwatch.GetTimestamp();
                    WorkerPool.For(2, 1, long.MaxValue, in body);
                    times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
                Array.Sort(times);
                Console.WriteLine($"parts of {work,2} µs, {gap,2} µs of one-thread work between calls: median {times[calls / 2]:F2} µs per call " +
                    $"(quartiles {times[calls / 4]:F2}–{times[3 * calls / 4]:F2}, 99th percentile {times[calls * 99 / 100]:F1})");
            }
        }
        return 0;
    }

    private static void SpinFor(double microseconds)
    {
        if (microseconds <= 0) return;
        long end = Stopwatch.GetTimestamp() + (long)(microseconds * Stopwatch.Frequency / 1e6);
        while (Stopwatch.GetTimestamp() < end) { }
    }

    private readonly struct Spin(double microseconds) : IRangeBody
    {
        public void Run(int from, int to) => SpinFor(microseconds);
    }
}
