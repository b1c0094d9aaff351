namespace Reptile.Autograd;

/// <summary>An op's hand-written backward: reads its output's gradient and accumulates (+=) into the
/// gradients of its inputs.</summary>
public interface IBackward
{
    /// <summary>
    /// Adds this op's contribution to its inputs' gradients, from its output's gradient. Called by
    /// <see cref="Tape.Backward"/> in reverse recording order, once per recording.
    /// </summary>
    void Backward();
}
