using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Reptile.Kernels;

namespace Reptile.Tests.Kernels;

public class SimdTests
{
    [Fact]
    public void PathsAreOrderedNarrowestFirst() =>
        Assert.Equal([SimdPath.Scalar, SimdPath.Vector128, SimdPath.Vector256, SimdPath.Vector512], Enum.GetValues<SimdPath>());

    [Fact]
    public void BestIsTheWidestAcceleratedWidth()
    {
        var expected = Vector512.IsHardwareAccelerated ? SimdPath.Vector512
            : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
            : Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported) ? SimdPath.Vector128
            : SimdPath.Scalar;
        Assert.Equal(expected, Simd.Best);
    }

    [Fact]
    public void AvailableListsEveryPathUpToBestAndVector128WhereverItHasHardwareFma()
    {
        Assert.Equal(Enum.GetValues<SimdPath>().Where(p => p <= Simd.Best), Simd.Available);
        Assert.Equal(Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported), Simd.Available.Contains(SimdPath.Vector128));
    }

    [Fact]
    public void ForcingVector128SetsTheCurrentPathUntilDisposed()
    {
        if (!Simd.Available.Contains(SimdPath.Vector128))
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Simd.Force(SimdPath.Vector128));
            return;
        }
        var before = Simd.Current;
        using (Simd.Force(SimdPath.Vector128))
        {
            Assert.Equal(SimdPath.Vector128, Simd.Current);
            Assert.Equal(SimdPath.Vector128, ComputeSettings.Current.Path);
        }
        Assert.Equal(before, Simd.Current);
    }
}
