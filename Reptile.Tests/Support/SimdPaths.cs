using Reptile.Kernels;

namespace Reptile.Tests.Support;

public static class SimdPaths
{
    /// <summary>Runs the body once on each SIMD path this machine has; a failure names the path.</summary>
    public static void ForEach(Action<SimdPath> body)
    {
        foreach (var path in Simd.Available)
            using (Simd.Force(path))
            {
                try { body(path); }
                catch (Exception e) { throw new Exception($"path {path}: {e.Message}", e); }
            }
    }
}
