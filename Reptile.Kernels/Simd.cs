using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>
/// Chooses the widest hardware-accelerated path once; the path kernels take on a thread is part of its
/// <see cref="ComputeSettings"/>, which tests narrow with <see cref="Force"/>.
/// </summary>
public static class Simd
{
    /// <summary>The widest path this machine accelerates.</summary>
    public static SimdPath Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        // Without FMA3 (x64 with AVX disabled, or older) Vector128.FusedMultiplyAdd is emulated: GEMM ran 6× slower than scalar.
        : Vector128.IsHardwareAccelerated && (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) ? SimdPath.Vector128
        : SimdPath.Scalar;

    /// <summary>The path kernels take on this thread.</summary>
    public static SimdPath Current => ComputeSettings.Current.Path;

    /// <summary>Paths this machine can run, narrowest first.</summary>
    public static IReadOnlyList<SimdPath> Available { get; } =
        Enum.GetValues<SimdPath>().Where(p => p <= Best).ToArray();

    /// <summary>Makes the calling thread compute on <paramref name="path"/> (its other settings unchanged) until the
    /// result is disposed: how tests run every kernel's narrower paths on a wide machine.</summary>
    public static IDisposable Force(SimdPath path) => ComputeSettings.Use(ComputeSettings.Current with { Path = path });
}
