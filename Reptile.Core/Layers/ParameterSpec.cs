using Reptile.Autograd;
namespace Reptile.Layers;

/// <summary>A trainable tensor a layer declares: its name within the layer ("weight", "bias") and PyTorch shape.</summary>
public sealed record ParameterSpec(string Name, int[] Shape)
{
    public int Length => Tensor.Product(Shape);
}
