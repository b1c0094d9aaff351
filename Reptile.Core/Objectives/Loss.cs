using Reptile.Autograd;

namespace Reptile.Objectives;

/// <summary>A training objective: turns a model's output into a scalar loss tensor (recorded on the tape).</summary>
public abstract class Loss
{
    public abstract Tensor Forward(Tensor prediction, Tape? tape);
}
