using BenchmarkDotNet.Attributes;
using Reptile.Kernels;

namespace Reptile.Bench;

/// <summary>
/// The convolution lowering alone (64 channels, batch 10, 3×3 kernel, stride 2, padding 1): the gather map
/// (<see cref="Convolution.Gather"/> / <see cref="Convolution.ScatterAdd"/>) against what the layers call
/// (<see cref="Convolution.Im2Col"/> / <see cref="Convolution.Col2Im"/>, which move whole rows where they fit a
/// vector: the 14-pixel images; 7-pixel images fall back to the map, so there the two should tie).
/// </summary>
[MemoryDiagnoser]
public class LoweringBenchmarks
{
    private const int Channels = 64;
    private ConvolutionPlan plan = null!;
    private float[] image = [], lowered = [];

    [Params(14, 7)]
    public int Size { get; set; } = 14;

    [GlobalSetup]
    public void Setup()
    {
        plan = new ConvolutionPlan(10, Size, Size, 3, 3, 2, 1);
        var rng = new Rng(1);
        image = new float[Channels * plan.Plane];
        lowered = new float[Channels * plan.Index.Length];
        for (int i = 0; i < image.Length; i++) image[i] = rng.NextFloat();
        for (int i = 0; i < lowered.Length; i++) lowered[i] = rng.NextFloat();
    }

    [Benchmark(Baseline = true)]
    public void GatherMap() => Convolution.Gather(image, Channels, plan.Index, lowered);

    [Benchmark]
    public void Im2Col() => Convolution.Im2Col(image, Channels, plan, lowered);

    [Benchmark]
    public void ScatterMap() => Convolution.ScatterAdd(lowered, Channels, plan.Index, image);

    [Benchmark]
    public void Col2Im() => Convolution.Col2Im(lowered, Channels, plan, image);
}
