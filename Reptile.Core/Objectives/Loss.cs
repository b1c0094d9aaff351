using Reptile.Autograd;

namespace Reptile.Objectives;

/// <summary>A training objective: turns a model's output into a scalar loss tensor (recorded on the tape).</summary>
public abstract class Loss
{
    /// <summary>
    /// The loss of <paramref name="prediction"/> (a model's output) as a one-value tensor, recorded on
    /// <paramref name="tape"/> when one is given so that <see cref="Tape.Backward"/> can start from it. The tensor is reused by
    /// the next call.
    /// </summary>
    public abstract Tensor Forward(Tensor prediction, Tape? tape);
}
