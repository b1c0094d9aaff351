using Reptile.Autograd;
using Reptile.Objectives;

namespace Reptile.Meta;

/// <summary>An input tensor [B, C, H, W] and its labels, filled from a task's samples; reused across steps.</summary>
internal sealed class FewShotBatch
{
    private readonly int[] shape = new int[4];

    public Tensor Inputs { get; } = Tensor.Zeros(false, 0, 1, 0, 0);
    public CrossEntropyLoss Loss { get; } = new();
    public int[] Indices { get; private set; } = [];

    public void Fill(FewShotTask task, ReadOnlySpan<int> samples)
    {
        shape[0] = samples.Length; shape[1] = task.Channels; shape[2] = task.Height; shape[3] = task.Width;
        Inputs.Reshape(shape, requiresGrad: false);
        if (Loss.Labels.Length < samples.Length) Loss.Labels = new int[samples.Length];
        var x = Inputs.Values;
        for (int i = 0; i < samples.Length; i++)
        {
            task.Image(samples[i]).CopyTo(x.Slice(i * task.Pixels, task.Pixels));
            Loss.Labels[i] = task.Label(samples[i]);
        }
    }

    public Span<int> IndexBuffer(int size)
    {
        if (Indices.Length < size) Indices = new int[size];
        return Indices.AsSpan(0, size);
    }
}
