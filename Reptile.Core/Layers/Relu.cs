using Reptile.Autograd;

namespace Reptile.Layers;

/// <summary>PyTorch's nn.ReLU: y = max(x, 0) elementwise, shape and layout kept. No parameters.</summary>
public sealed class Relu : Layer
{
    private readonly ReluOp op = new();
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tape? tape) => op.Forward(input, tape);

    /// <summary>Sample by sample (max(x, 0) is exact): any batch gives each sample the same bits.</summary>
    internal override bool KeepsGroupsApart(int groupSize) => true;
    /// <inheritdoc/>
    public override Layer CloneConfiguration() => new Relu();
    /// <inheritdoc/>
    public override string ToString() => "ReLU()";
}
