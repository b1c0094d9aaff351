using Reptile.Autograd;
namespace Reptile.Layers;

/// <summary>A trainable tensor a layer declares: its name within the layer ("weight", "bias") and PyTorch shape.</summary>
/// <param name="Name">The name within the layer, e.g. "weight".</param>
/// <param name="Shape">The PyTorch shape, e.g. [64, 1, 3, 3].</param>
public sealed record ParameterSpec(string Name, int[] Shape)
{
    /// <summary>Number of values: the product of <see cref="Shape"/>.</summary>
    public int Length => Tensor.Product(Shape);
}
