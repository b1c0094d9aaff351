using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Reptile.Kernels;

namespace Reptile.Cli;

/// <summary>What `reptile --version` and `reptile info` print: the version, how the code was compiled (JIT or Native
/// AOT), what the CPU offers, what this build accelerates, and the SIMD path the kernels take.</summary>
internal static class BuildInfo
{
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>"Native AOT" when the code was compiled ahead of time (no JIT at run time), else "JIT".</summary>
    public static string Compilation => RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "Native AOT";

    /// <summary>Vector widths this build runs in hardware. Under Native AOT they are fixed when publishing
    /// (IlcInstructionSet), whatever the CPU offers; under the JIT they follow the CPU.</summary>
    public static string AcceleratedWidths()
    {
        var widths = new List<string>();
        if (Vector128.IsHardwareAccelerated) widths.Add(Fma.IsSupported ? "128 (FMA)" : "128");
        if (Vector256.IsHardwareAccelerated) widths.Add("256");
        if (Vector512.IsHardwareAccelerated) widths.Add("512");
        return widths.Count == 0 ? "none" : string.Join(", ", widths) + " bits";
    }

    /// <summary>The vector extensions the CPU itself reports (CPUID), independent of how this build was compiled.</summary>
    public static string CpuExtensions()
    {
        if (!X86Base.IsSupported) return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        var (_, _, features1, _) = X86Base.CpuId(1, 0);
        var (_, features7, _, _) = X86Base.CpuId(7, 0);
        var found = new List<string>();
        if ((features1 & (1 << 28)) != 0) found.Add("AVX");
        if ((features7 & (1 << 5)) != 0) found.Add("AVX2");
        if ((features1 & (1 << 12)) != 0) found.Add("FMA");
        if ((features7 & (1 << 16)) != 0) found.Add("AVX-512F");
        if ((features7 & (1 << 30)) != 0) found.Add("AVX-512BW");
        if ((features7 & (1 << 31)) != 0) found.Add("AVX-512VL");
        return found.Count == 0 ? "SSE only" : string.Join(", ", found);
    }

    /// <summary>A note when the CPU could run a wider path than the one in use (a Native AOT binary published for a
    /// lower instruction set than the machine's, or the JIT told to leave wide vectors alone), else null.</summary>
    public static string? NarrowerThanCpu()
    {
        if (!X86Base.IsSupported) return null;
        var (_, features7, _, _) = X86Base.CpuId(7, 0);
        bool cpuAvx512 = (features7 & (1 << 16)) != 0, cpuAvx2 = (features7 & (1 << 5)) != 0;
        SimdPath cpuBest = cpuAvx512 ? SimdPath.Vector512 : cpuAvx2 ? SimdPath.Vector256 : Simd.Best;
        if (cpuBest <= Simd.Best) return null;
        return RuntimeFeature.IsDynamicCodeCompiled
            ? $"note: the CPU could run the {cpuBest} path; the runtime has wider vectors turned off (DOTNET_EnableAVX512 or similar settings)."
            : $"note: the CPU could run the {cpuBest} path; this binary was compiled for a lower instruction set (IlcInstructionSet; see README, Native AOT).";
    }

    /// <summary>The lines `reptile --version` and `reptile info` print.</summary>
    public static IEnumerable<string> Lines()
    {
        yield return $"reptile {Version}";
        yield return $"runtime: .NET {Environment.Version}, {Compilation}, {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}";
        yield return $"cpu: {Environment.ProcessorCount} logical processors; {CpuExtensions()}";
        yield return $"accelerated vector widths: {AcceleratedWidths()}";
        yield return $"simd path: {Simd.Best}";
        if (NarrowerThanCpu() is { } note) yield return note;
    }
}
