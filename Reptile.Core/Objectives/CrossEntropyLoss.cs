using Reptile.Autograd;

namespace Reptile.Objectives;

/// <summary>Mean softmax cross-entropy of logits [N, classes] against the first N of <see cref="Labels"/>.</summary>
public sealed class CrossEntropyLoss : Loss
{
    private readonly SoftmaxCrossEntropyOp op = new();

    /// <summary>
    /// The class index of each row of the next prediction, in [0, classes); may be longer than the batch (only the
    /// first N are read).
    /// </summary>
    public int[] Labels { get; set; } = [];

    /// <summary>The mean over the N rows of the prediction [N, classes] (logits) of −log softmax(row)[label].</summary>
    /// <exception cref="ArgumentException">The prediction is not [N, classes] or <see cref="Labels"/> holds fewer
    /// than N labels.</exception>
    public override Tensor Forward(Tensor prediction, Tape? tape) =>
        op.Forward(prediction, Labels, prediction.Rank == 0 ? 0 : prediction.Dim(0), tape);
}
