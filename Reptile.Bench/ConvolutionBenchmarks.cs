using BenchmarkDotNet.Attributes;
using Reptile.Autograd;
using Reptile.Layers;

namespace Reptile.Bench;

/// <summary>
/// One convolution layer of the Omniglot model (3×3, stride 2, padding 1, 64 filters; batch 10), forward and
/// forward + backward, at each of the model's four input sizes.
/// </summary>
[MemoryDiagnoser]
public class ConvolutionBenchmarks
{
    private Sequential layer = null!;
    private Tensor input = null!;
    private readonly Tape tape = new();
    private readonly Reptile.Objectives.MseLoss loss = new();

    /// <summary>Input side and channels: 28×28×1 (layer 1), then 14×14, 7×7 and 4×4 with 64 channels.</summary>
    [Params("28x1", "14x64", "7x64", "4x64")]
    public string Input { get; set; } = "28x1";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Input.Split('x');
        int size = int.Parse(parts[0]), channels = int.Parse(parts[1]);
        var rng = new Rng(1);
        layer = new Sequential(new Conv2d(channels, 64, 3, stride: 2, padding: 1)).Initialize(rng);
        input = Tensor.Zeros(channels > 1, 10, channels, size, size);
        var v = input.Values;
        for (int i = 0; i < v.Length; i++) v[i] = rng.NextFloat();
        int outSize = (size + 2 - 3) / 2 + 1;
        loss.Target = Tensor.Zeros(false, 10 * 64 * outSize * outSize);
    }

    [Benchmark]
    public Tensor Forward() => layer.Forward(input);

    [Benchmark]
    public void ForwardBackward()
    {
        layer.ZeroGrad();
        var value = loss.Forward(layer.Forward(input, tape), tape);
        tape.Backward(value);
    }
}
