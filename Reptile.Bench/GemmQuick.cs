using System.Diagnostics;
using Reptile.Kernels;

namespace Reptile.Bench;

/// <summary>
/// Stopwatch sweep for tuning: `gemm-quick [filter] [kc=.. mc=.. nc=..]` prints GFLOP/s (2mnk / best
/// batch time) per shape and path. Best-of-batches filters out noise from other processes.
/// </summary>
internal static class GemmQuick
{
    // Micro-kernel alone on L1-resident panels: the ceiling the driver can reach.
    private static unsafe void Probe<TK>() where TK : IGemmMicroKernel
    {
        const int kc = 256;
        var a = GC.AllocateArray<float>(TK.MR * kc + 16, pinned: true);
        var b = GC.AllocateArray<float>(TK.NR * kc + 16, pinned: true);
        var c = GC.AllocateArray<float>(TK.MR * TK.NR + 16, pinned: true);
        fixed (float* pa = a, pb0 = b, pc = c)
        {
            float* pb = (float*)(((nint)pb0 + 63) & ~(nint)63);
            double best = double.MaxValue;
            var total = Stopwatch.StartNew();
            var sw = new Stopwatch();
            while (total.Elapsed.TotalSeconds < 1)
            {
                sw.Restart();
                for (int r = 0; r < 1000; r++)
                    TK.Run(kc, pa, TK.MR, pb, pc, TK.NR, false);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"{typeof(TK).Name} {TK.MR}x{TK.NR}: {2.0 * TK.MR * TK.NR * kc * 1000 / best / 1e9:F1} GFLOP/s");
        }
    }

    public static int Run(string[] args)
    {
        string? filter = null;
        bool cpu = false;
        foreach (var arg in args)
        {
            if (arg == "cpu") { cpu = true; continue; }
            var kv = arg.Split('=');
            if (kv.Length == 2 && int.TryParse(kv[1], out int v))
            {
                switch (kv[0])
                {
                    case "kc": GemmDriver.KcMax = v; break;
                    case "mc": GemmDriver.McMax = v; break;
                    case "nc": GemmDriver.NcMax = v; break;
                    case "small": GemmSmall.MaxVolume = v; break;
                }
            }
            else filter = arg;
        }
        if (filter == "kernel")
        {
            Probe<GemmMicroKernel512>();
            Probe<GemmMicroKernel256>();
            return 0;
        }
        Console.WriteLine($"KC={GemmDriver.KcMax} MC={GemmDriver.McMax} NC={GemmDriver.NcMax}");
        var paths = new[] { SimdPath.Vector512, SimdPath.Vector256 }.Where(p => p <= Simd.Best).ToArray();
        Console.WriteLine($"{"shape",-16}" + string.Concat(paths.Select(p => $"{p,12}")) + "   (GFLOP/s)");
        var shapes = GemmShape.All().ToList();
        // A custom shape, e.g. 64x40x576 or 576x40x64tA or 64x576x40tB.
        var custom = filter == null ? null : System.Text.RegularExpressions.Regex.Match(filter, @"^(\d+)x(\d+)x(\d+)(tA)?(tB)?$");
        if (custom is { Success: true })
        {
            shapes = [new GemmShape(filter!, int.Parse(custom.Groups[1].Value), int.Parse(custom.Groups[2].Value),
                int.Parse(custom.Groups[3].Value), custom.Groups[4].Success, custom.Groups[5].Success)];
            filter = null;
        }
        foreach (var s in shapes)
        {
            if (filter != null && !s.Name.Contains(filter))
                continue;
            var rnd = new Random(1);
            var a = Enumerable.Range(0, s.M * s.K).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, s.K * s.N).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
            var c = new float[s.M * s.N];
            Console.Write($"{s.Name,-16}");
            foreach (var path in paths)
            {
                using (Simd.Force(path))
                {
                    int reps = Math.Max(1, (int)(2e7 / s.Flops));
                    double best = double.MaxValue;
                    var sw = new Stopwatch();
                    if (cpu)
                    {
                        // On a busy machine wall-clock batches are preempted; process CPU time over ~1 s is
                        // steadier (10 ms tick, so ~1 %).
                        for (int r = 0; r < reps; r++)
                            Gemm.Multiply(a, s.TransA, b, s.TransB, c, s.M, s.N, s.K);
                        var proc = System.Diagnostics.Process.GetCurrentProcess();
                        var t0 = proc.TotalProcessorTime;
                        long calls = 0;
                        var wall = Stopwatch.StartNew();
                        while (wall.Elapsed.TotalSeconds < 1.0)
                        {
                            for (int r = 0; r < reps; r++)
                                Gemm.Multiply(a, s.TransA, b, s.TransB, c, s.M, s.N, s.K);
                            calls += reps;
                        }
                        proc.Refresh();
                        best = (proc.TotalProcessorTime - t0).TotalSeconds / calls;
                        Console.Write($"{s.Flops / best / 1e9,12:F1}");
                        continue;
                    }
                    var total = Stopwatch.StartNew();
                    while (total.Elapsed.TotalSeconds < 0.4)
                    {
                        sw.Restart();
                        for (int r = 0; r < reps; r++)
                            Gemm.Multiply(a, s.TransA, b, s.TransB, c, s.M, s.N, s.K);
                        best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
                    }
                    Console.Write($"{s.Flops / best / 1e9,12:F1}");
                }
            }
            Console.WriteLine();
        }
        return 0;
    }
}
