using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>
/// Chooses the widest hardware-accelerated path once, and lets tests force a narrower one on the
/// calling thread so every path of every kernel runs on any machine that supports it.
/// </summary>
public static class Simd
{
    [ThreadStatic] private static SimdPath? forced;

    /// <summary>The widest path this machine accelerates.</summary>
    public static SimdPath Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        // Without FMA3 (x64 with AVX disabled, or older) Vector128.FusedMultiplyAdd is emulated: GEMM ran 6× slower than scalar.
        : Vector128.IsHardwareAccelerated && (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) ? SimdPath.Vector128
        : SimdPath.Scalar;

    /// <summary>The path kernels take on this thread.</summary>
    public static SimdPath Current => forced ?? Best;

    /// <summary>Paths this machine can run, narrowest first.</summary>
    public static IReadOnlyList<SimdPath> Available { get; } =
        Enum.GetValues<SimdPath>().Where(p => p <= Best).ToArray();

    /// <summary>The path forced on this thread, if any: what a thread doing work on its behalf must
    /// <see cref="Adopt"/> so that the results do not depend on which thread computed them.</summary>
    public static SimdPath? Forced => forced;

    /// <summary>
    /// Makes the calling thread compute on <paramref name="path"/> (null: <see cref="Best"/>) until the result is
    /// disposed; for worker threads, which pass the <see cref="Forced"/> of the thread they work for. A struct, so
    /// adopting allocates nothing.
    /// </summary>
    public static Adoption Adopt(SimdPath? path)
    {
        if (path > Best)
            throw new ArgumentOutOfRangeException(nameof(path), $"{path} is not accelerated on this machine (best: {Best}).");
        var previous = forced;
        forced = path;
        return new Adoption(previous);
    }

    /// <summary>Restores the path a thread had before <see cref="Adopt"/>.</summary>
    public readonly struct Adoption(SimdPath? previous) : IDisposable
    {
        public void Dispose() => forced = previous;
    }

    /// <summary>Forces <paramref name="path"/> on the calling thread until the result is disposed.</summary>
    public static IDisposable Force(SimdPath path) => Adopt(path);
}
