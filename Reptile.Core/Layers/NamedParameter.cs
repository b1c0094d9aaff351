using Reptile.Autograd;
namespace Reptile.Layers;

/// <summary>A parameter under its PyTorch state_dict name ("0.weight") and its place in the flat buffer.</summary>
/// <param name="Name">The state_dict name, e.g. "0.weight" (layer index, then the layer's own name).</param>
/// <param name="Tensor">The parameter's view into the model's buffers (values and gradients).</param>
/// <param name="Offset">Where its values start in <see cref="Sequential.Parameters"/>.</param>
public sealed record NamedParameter(string Name, Tensor Tensor, int Offset)
{
    /// <summary>Number of values of the parameter.</summary>
    public int Length => Tensor.Length;
}
