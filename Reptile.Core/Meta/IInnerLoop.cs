using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>
/// Samples one task and adapts a model to it (Reptile's inner loop). An instance belongs to one worker and
/// owns its batch buffers, so adapting allocates nothing in steady state.
/// </summary>
public interface IInnerLoop
{
    /// <summary>Samples a task from <paramref name="rng"/> and trains <paramref name="model"/> on it in place.
    /// When <paramref name="beforeLastStep"/> is not empty, the parameters just before the last step are
    /// copied into it (first-order MAML needs them). Returns the mean training loss over the steps.</summary>
    float Adapt(Sequential model, Optimizer optimizer, Tape tape, Rng rng, Span<float> beforeLastStep);

    /// <summary>A fresh instance for another worker.</summary>
    IInnerLoop Clone();
}
