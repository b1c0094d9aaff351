namespace Reptile.Autograd;

/// <summary>An op's hand-written backward: reads its output's gradient and accumulates (+=) into the
/// gradients of its inputs.</summary>
public interface IBackward
{
    void Backward();
}
