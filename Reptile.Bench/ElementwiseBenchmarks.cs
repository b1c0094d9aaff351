using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Reptile.Kernels;

namespace Reptile.Bench;

/// <summary>Our elementwise kernels against TensorPrimitives (where it has the op) and a plain loop.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ElementwiseBenchmarks
{
    private const float Lr = 1e-3f, Eps = 0.1f;
    private float[] x = [], y = [], g = [], w = [], m = [], v = [], scratch = [];
    private float[][] tasks = [];

    [Params(1024, 65536)]
    public int N;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        float[] R(float lo, float hi) => Enumerable.Range(0, N).Select(_ => lo + (hi - lo) * rng.NextSingle()).ToArray();
        x = R(-3, 3); y = new float[N]; g = R(-1, 1); w = R(-1, 1); m = R(-0.1f, 0.1f); v = R(0, 0.1f); scratch = new float[N];
        tasks = Enumerable.Range(0, 5).Select(_ => R(-1, 1)).ToArray();
    }

    [BenchmarkCategory("Tanh"), Benchmark(Baseline = true)]
    public void TanhNaive() { for (int i = 0; i < x.Length; i++) y[i] = MathF.Tanh(x[i]); }
    [BenchmarkCategory("Tanh"), Benchmark] public void TanhTensorPrimitives() => TensorPrimitives.Tanh(x, y);
    [BenchmarkCategory("Tanh"), Benchmark] public void TanhOurs() => Activations.Tanh(x, y);

    [BenchmarkCategory("Relu"), Benchmark(Baseline = true)]
    public void ReluNaive() { for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0 ? x[i] : 0; }
    [BenchmarkCategory("Relu"), Benchmark] public void ReluTensorPrimitives() => TensorPrimitives.Max(x, 0f, y);
    [BenchmarkCategory("Relu"), Benchmark] public void ReluOurs() => Activations.Relu(x, y);

    [BenchmarkCategory("Sgd"), Benchmark(Baseline = true)]
    public void SgdNaive() { for (int i = 0; i < w.Length; i++) w[i] -= Lr * g[i]; }
    [BenchmarkCategory("Sgd"), Benchmark] public void SgdTensorPrimitives() => TensorPrimitives.MultiplyAdd(g, -Lr, w, w);
    [BenchmarkCategory("Sgd"), Benchmark] public void SgdOurs() => Optimizers.Sgd(w, g, Lr);

    // v stays positive and m bounded across iterations, so repeated updates keep the same work.
    [BenchmarkCategory("Adam"), Benchmark(Baseline = true)]
    public void AdamNaive()
    {
        for (int i = 0; i < w.Length; i++)
        {
            m[i] = 0.9f * m[i] + 0.1f * g[i];
            v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
            w[i] -= Lr * m[i] / (MathF.Sqrt(v[i]) + 1e-8f);
        }
    }
    [BenchmarkCategory("Adam"), Benchmark] public void AdamOurs() => Optimizers.Adam(w, g, m, v, 0.9f, 0.999f, Lr, 1e-8f);

    [BenchmarkCategory("Interpolate5"), Benchmark(Baseline = true)]
    public void Interpolate5Naive()
    {
        for (int i = 0; i < w.Length; i++)
        {
            float s = 0;
            for (int k = 0; k < tasks.Length; k++) s += tasks[k][i];
            w[i] += Eps * (s / tasks.Length - w[i]);
        }
    }
    [BenchmarkCategory("Interpolate5"), Benchmark]
    public void Interpolate5TensorPrimitives()
    {
        TensorPrimitives.Add(tasks[0], tasks[1], scratch);
        for (int k = 2; k < tasks.Length; k++) TensorPrimitives.Add(scratch, tasks[k], scratch);
        TensorPrimitives.Multiply(scratch, 1f / tasks.Length, scratch);
        TensorPrimitives.Lerp(w, scratch, Eps, w);
    }
    [BenchmarkCategory("Interpolate5"), Benchmark] public void Interpolate5Ours() => MetaUpdate.Interpolate(w, tasks, Eps);
}
