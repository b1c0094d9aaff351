using Reptile.Kernels;

namespace Reptile.Autograd;

/// <summary>loss = mean over rows of −log softmax(logits)[label]; d logits = (softmax − onehot) / rows.</summary>
public sealed class SoftmaxCrossEntropyOp : IBackward
{
    private Tensor logits = null!;
    private int[] labels = [];
    private int count, classes;
    private float[] probabilities = [];

    /// <summary>The loss of the last <see cref="Forward"/>: a one-value tensor reused by every call.</summary>
    public Tensor Output { get; } = Tensor.Zeros(true, 1);

    /// <summary>The softmax of the last forward, rows × classes.</summary>
    private ReadOnlySpan<float> Probabilities => probabilities.AsSpan(0, count * classes);

    /// <summary>
    /// The mean over the first <paramref name="count"/> rows of −log softmax(logits)[label], recording the op on
    /// <paramref name="tape"/> when one is given.
    /// </summary>
    /// <param name="logits">[count, classes] unnormalised scores.</param>
    /// <param name="labels">Class indices in [0, classes); at least <paramref name="count"/> (a reused buffer may be
    /// longer).</param>
    /// <param name="count">Rows in the batch.</param>
    /// <param name="tape">The tape to record on, or null.</param>
    /// <returns><see cref="Output"/>.</returns>
    /// <exception cref="ArgumentException">The logits are not [count, classes] or there are fewer than
    /// <paramref name="count"/> labels.</exception>
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

    /// <summary>Adds (softmax − one-hot)/rows, times the loss's gradient, into the logits' gradient.</summary>
    public void Backward()
    {
        if (logits.RequiresGrad)
            Losses.SoftmaxCrossEntropyBackward(Probabilities, labels.AsSpan(0, count), classes, Output.Grad[0], logits.Grad);
    }
}
