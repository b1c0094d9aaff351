namespace Reptile.Bench;

/// <summary>A GEMM problem: C[m×n] = op(A)[m×k]·op(B)[k×n].</summary>
public sealed record GemmShape(string Name, int M, int N, int K, bool TransA = false, bool TransB = false)
{
    public double Flops => 2.0 * M * N * K;

    public override string ToString() => Name;

    public static IEnumerable<GemmShape> All()
    {
        foreach (var s in new[] { 64, 128, 256, 512, 1024 })
            yield return new($"sq{s}", s, s, s);
        // Convolution as im2col+GEMM (3×3, 64 channels): Y = W·cols; dW = dY·colsᵀ; dcols = Wᵀ·dY.
        foreach (var n in new[] { 490, 160, 40 })
        {
            yield return new($"fwd64x{n}x576", 64, n, 576);
            yield return new($"dW64x576x{n}", 64, 576, n, TransB: true);
            yield return new($"dX576x{n}x64", 576, n, 64, TransA: true);
        }
        yield return new("fwd64x1960x9", 64, 1960, 9);
        yield return new("dW64x9x1960", 64, 9, 1960, TransB: true);
        yield return new("dX9x1960x64", 9, 1960, 64, TransA: true);
        // Linear heads and a tiny MLP.
        yield return new("dense10x5x256", 10, 5, 256, TransB: true);
        yield return new("mlp10x64x1", 10, 64, 1);
        yield return new("mlp10x64x64", 10, 64, 64);
    }
}
