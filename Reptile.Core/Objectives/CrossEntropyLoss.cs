using Reptile.Autograd;

namespace Reptile.Objectives;

/// <summary>Mean softmax cross-entropy of logits [N, classes] against the first N of <see cref="Labels"/>.</summary>
public sealed class CrossEntropyLoss : Loss
{
    private readonly SoftmaxCrossEntropyOp op = new();

    public int[] Labels { get; set; } = [];

    public override Tensor Forward(Tensor prediction, Tape? tape) =>
        op.Forward(prediction, Labels, prediction.Rank == 0 ? 0 : prediction.Dim(0), tape);
}
