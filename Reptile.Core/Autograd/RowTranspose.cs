using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// The move between channel-major ([C][positions]) and position-major ([positions][C]) activations: 8×8 register
/// transposes, the pool's threads taking runs of 8 source rows (disjoint columns of the destination).
/// </summary>
internal static unsafe class RowTranspose
{
    /// <summary>destination[j][i] = source[i][j] for i &lt; a, j &lt; b.</summary>
    public static void Copy(ReadOnlySpan<float> source, int a, int b, Span<float> destination)
    {
        if ((long)a * b > source.Length || (long)a * b > destination.Length)
            throw new ArgumentException($"Transpose of {a}×{b} needs {(long)a * b} values.");
        if (a == 1 || b == 1)
        {
            // One row or one column (a gray image's single channel): the same values in the same order.
            source[..(a * b)].CopyTo(destination);
            return;
        }
        fixed (float* s = source, d = destination)
        {
            var parts = new Parts(s, d, a, b);
            WorkerPool.For((a + 7) / 8, 1, (long)a * b, in parts);
        }
    }

    private readonly struct Parts(float* source, float* destination, int a, int b) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int first = from * 8, rows = Math.Min(a, to * 8) - first;
            GemmPacking.TransposePack(destination + first, a, rows, source + (nint)first * b, b, rows, b);
        }
    }
}
