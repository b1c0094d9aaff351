using System.Diagnostics;
using System.Runtime.Intrinsics;
using Reptile.Kernels;

namespace Reptile.Bench;

/// <summary>
/// Stopwatch sweep for tuning: `gemm-quick [filter] [kc=.. mc=.. nc=..]` prints GFLOP/s (2mnk / best
/// batch time) per shape and path. Best-of-batches filters out noise from other processes.
/// </summary>
internal static class GemmQuick
{
    // Register-only FMAs: the machine's FLOP ceiling for one core.
    private static void PeakProbe()
    {
        var m = Vector512.Create(0.999999f);
        var x0 = Vector512.Create(0f); var x1 = Vector512.Create(1f); var x2 = Vector512.Create(2f); var x3 = Vector512.Create(3f); var x4 = Vector512.Create(4f); var x5 = Vector512.Create(5f); var x6 = Vector512.Create(6f); var x7 = Vector512.Create(7f); var x8 = Vector512.Create(8f); var x9 = Vector512.Create(9f); var x10 = Vector512.Create(10f); var x11 = Vector512.Create(11f);
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        var sw = new Stopwatch();
        while (total.Elapsed.TotalSeconds < 1)
        {
            sw.Restart();
            for (int r = 0; r < 100_000; r++)
            {
                    x0 = Vector512.FusedMultiplyAdd(x0, m, x0);
                    x1 = Vector512.FusedMultiplyAdd(x1, m, x1);
                    x2 = Vector512.FusedMultiplyAdd(x2, m, x2);
                    x3 = Vector512.FusedMultiplyAdd(x3, m, x3);
                    x4 = Vector512.FusedMultiplyAdd(x4, m, x4);
                    x5 = Vector512.FusedMultiplyAdd(x5, m, x5);
                    x6 = Vector512.FusedMultiplyAdd(x6, m, x6);
                    x7 = Vector512.FusedMultiplyAdd(x7, m, x7);
                    x8 = Vector512.FusedMultiplyAdd(x8, m, x8);
                    x9 = Vector512.FusedMultiplyAdd(x9, m, x9);
                    x10 = Vector512.FusedMultiplyAdd(x10, m, x10);
                    x11 = Vector512.FusedMultiplyAdd(x11, m, x11);
            }
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        var sink = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11;
        Console.WriteLine($"Vector512 FMA peak: {12.0 * 32 * 100_000 / best / 1e9:F1} GFLOP/s ({sink[0]:F0})");
    }

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
                    TK.Run(kc, pa, pb, pc, TK.NR, false);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"{typeof(TK).Name} {TK.MR}x{TK.NR}: {2.0 * TK.MR * TK.NR * kc * 1000 / best / 1e9:F1} GFLOP/s");
        }
    }

    public static int Run(string[] args)
    {
        string? filter = null;
        foreach (var arg in args)
        {
            var kv = arg.Split('=');
            if (kv.Length == 2 && int.TryParse(kv[1], out int v))
            {
                switch (kv[0])
                {
                    case "kc": GemmDriver.KcMax = v; break;
                    case "mc": GemmDriver.McMax = v; break;
                    case "nc": GemmDriver.NcMax = v; break;
                }
            }
            else filter = arg;
        }
        if (filter == "kernel")
        {
            PeakProbe();
            Probe<GemmMicroKernel512>();
            Probe<GemmMicroKernel256>();
            return 0;
        }
        Console.WriteLine($"KC={GemmDriver.KcMax} MC={GemmDriver.McMax} NC={GemmDriver.NcMax}");
        var paths = new[] { SimdPath.Vector512, SimdPath.Vector256 }.Where(p => p <= Simd.Best).ToArray();
        Console.WriteLine($"{"shape",-16}" + string.Concat(paths.Select(p => $"{p,12}")) + "   (GFLOP/s)");
        foreach (var s in GemmShape.All())
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
