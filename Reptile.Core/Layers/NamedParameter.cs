using Reptile.Autograd;
namespace Reptile.Layers;

/// <summary>A parameter under its PyTorch state_dict name ("0.weight") and its place in the flat buffer.</summary>
public sealed record NamedParameter(string Name, Tensor Tensor, int Offset)
{
    public int Length => Tensor.Length;
}
