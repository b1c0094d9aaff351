using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>loss = mean over rows of −log softmax(logits)[label]; d logits = (softmax − onehot) / rows.</summary>
public sealed class SoftmaxCrossEntropyOp : IBackward
{
    private Tensor logits = null!;
    private int[] labels = [];
    private int count, classes;
    private float[] probabilities = [];

    public Tensor Output { get; } = Tensor.Zeros(true, 1);

    /// <summary>The softmax of the last forward, rows × classes.</summary>
    private ReadOnlySpan<float> Probabilities => probabilities.AsSpan(0, count * classes);

    public Tensor Forward(Tensor logits, int[] labels, int count, Tape? tape)
    {
        if (logits.Rank != 2 || logits.Dim(0) != count || labels.Length < count)
            throw new ArgumentException($"Cross-entropy expects logits [{count}, classes] and {count} labels, got {logits} and {labels.Length} labels.");
        this.logits = logits; this.labels = labels; this.count = count;
        classes = logits.Dim(1);
        if (probabilities.Length < count * classes) probabilities = new float[count * classes];
        Output.Values[0] = Losses.SoftmaxCrossEntropy(logits.Values, labels.AsSpan(0, count), classes, probabilities.AsSpan(0, count * classes));
        tape?.Record(this, Output);
        return Output;
    }

    public void Backward()
    {
        if (logits.RequiresGrad)
            Losses.SoftmaxCrossEntropyBackward(Probabilities, labels.AsSpan(0, count), classes, Output.Grad[0], logits.Grad);
    }
}
