using System.Diagnostics;
using System.Runtime.Intrinsics;
using Reptile.Kernels;

namespace Reptile.Bench;

/// <summary>
/// Stopwatch sweep for tuning: `gemm-quick [filter] [kc=.. mc=.. nc=..] [scalar]` prints GFLOP/s (2mnk / best
/// batch time) per shape and path (the scalar path too with `scalar`). Best-of-batches filters out noise from other processes.
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

    /// <summary>
    /// The core's rate for the FMAs a matrix product issues (acc = x·y + acc over 16 independent accumulators, no
    /// memory traffic): the ceiling of any micro-kernel. On the Zen 4 here it measures ~115 GFLOP/s, the micro-kernel
    /// 117.6, so the GEMM's percentages of peak are taken against the kernel probe.
    /// </summary>
    private static void FmaPeak()
    {
        const long steps = 50_000_000;
        var sw = Stopwatch.StartNew();
        float keep = Fmas(steps, Vector512.Create(1.0000001f), Vector512.Create(0.9999999f), Vector512.Create(1e-7f));
        Console.WriteLine($"Vector512 FMAs acc = x·y + acc, 16 accumulators in registers: {steps * 16.0 * 32 / sw.Elapsed.TotalSeconds / 1e9:F1} GFLOP/s ({keep:E1})");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float Fmas(long steps, Vector512<float> x, Vector512<float> m, Vector512<float> c)
    {
        Vector512<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m;
        Vector512<float> a8 = m, a9 = m, a10 = m, a11 = m, a12 = m, a13 = m, a14 = m, a15 = m;
        for (long i = 0; i < steps; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(x, c, a0); a1 = Vector512.FusedMultiplyAdd(x, m, a1);
            a2 = Vector512.FusedMultiplyAdd(c, x, a2); a3 = Vector512.FusedMultiplyAdd(m, x, a3);
            a4 = Vector512.FusedMultiplyAdd(x, c, a4); a5 = Vector512.FusedMultiplyAdd(x, m, a5);
            a6 = Vector512.FusedMultiplyAdd(c, x, a6); a7 = Vector512.FusedMultiplyAdd(m, x, a7);
            a8 = Vector512.FusedMultiplyAdd(x, c, a8); a9 = Vector512.FusedMultiplyAdd(x, m, a9);
            a10 = Vector512.FusedMultiplyAdd(c, x, a10); a11 = Vector512.FusedMultiplyAdd(m, x, a11);
            a12 = Vector512.FusedMultiplyAdd(x, c, a12); a13 = Vector512.FusedMultiplyAdd(x, m, a13);
            a14 = Vector512.FusedMultiplyAdd(c, x, a14); a15 = Vector512.FusedMultiplyAdd(m, x, a15);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    /// <summary>As <see cref="FmaPeak"/> with 128-bit vectors (the ceiling of <see cref="GemmMicroKernel128"/>), best of
    /// 200 runs of ~2 ms: one 0.1 s run measured anywhere from 24 to 39 GFLOP/s on this shared machine.</summary>
    private static void FmaPeak128()
    {
        const long steps = 500_000;
        double best = double.MaxValue;
        float keep = 0;
        for (int run = 0; run < 200; run++)
        {
            var sw = Stopwatch.StartNew();
            keep += Fmas128(steps, Vector128.Create(1.0000001f), Vector128.Create(0.9999999f), Vector128.Create(1e-7f));
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"Vector128 FMAs acc = x·y + acc, 16 accumulators in registers: {steps * 16.0 * 8 / best / 1e9:F1} GFLOP/s ({keep:E1})");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float Fmas128(long steps, Vector128<float> x, Vector128<float> m, Vector128<float> c)
    {
        Vector128<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m;
        Vector128<float> a8 = m, a9 = m, a10 = m, a11 = m, a12 = m, a13 = m, a14 = m, a15 = m;
        for (long i = 0; i < steps; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(x, c, a0); a1 = Vector128.FusedMultiplyAdd(x, m, a1);
            a2 = Vector128.FusedMultiplyAdd(c, x, a2); a3 = Vector128.FusedMultiplyAdd(m, x, a3);
            a4 = Vector128.FusedMultiplyAdd(x, c, a4); a5 = Vector128.FusedMultiplyAdd(x, m, a5);
            a6 = Vector128.FusedMultiplyAdd(c, x, a6); a7 = Vector128.FusedMultiplyAdd(m, x, a7);
            a8 = Vector128.FusedMultiplyAdd(x, c, a8); a9 = Vector128.FusedMultiplyAdd(x, m, a9);
            a10 = Vector128.FusedMultiplyAdd(c, x, a10); a11 = Vector128.FusedMultiplyAdd(m, x, a11);
            a12 = Vector128.FusedMultiplyAdd(x, c, a12); a13 = Vector128.FusedMultiplyAdd(x, m, a13);
            a14 = Vector128.FusedMultiplyAdd(c, x, a14); a15 = Vector128.FusedMultiplyAdd(m, x, a15);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    public static int Run(string[] args)
    {
        string? filter = null;
        bool cpu = false, scalar = false;
        var settings = ComputeSettings.Current;
        foreach (var arg in args)
        {
            if (arg == "cpu") { cpu = true; continue; }
            if (arg == "scalar") { scalar = true; continue; }
            var kv = arg.Split('=');
            if (kv.Length == 2 && int.TryParse(kv[1], out int v))
            {
                switch (kv[0])
                {
                    case "kc": settings = settings with { DepthBlock = v }; break;
                    case "mc": settings = settings with { RowBlock = v }; break;
                    case "nc": settings = settings with { ColumnBlock = v }; break;
                    case "small": settings = settings with { SmallProductVolume = v }; break;
                }
            }
            else filter = arg;
        }
        using var tuned = ComputeSettings.Use(settings); // Simd.Force below keeps these knobs
        if (filter == "kernel")
        {
            FmaPeak();
            Probe<GemmMicroKernel512>();
            Probe<GemmMicroKernel256>();
            FmaPeak128();
            Probe<GemmMicroKernel128>();
            return 0;
        }
        Console.WriteLine($"KC={settings.DepthBlock} MC={settings.RowBlock} NC={settings.ColumnBlock} small={settings.SmallProductVolume}");
        var paths = new[] { SimdPath.Vector512, SimdPath.Vector256, SimdPath.Vector128, SimdPath.Scalar }
            .Where(p => p <= Simd.Best && (scalar || p != SimdPath.Scalar)).ToArray();
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
