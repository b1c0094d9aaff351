using Reptile.Autograd;
using Reptile.Objectives;

namespace Reptile.Meta;

/// <summary>One inner-loop batch: the model's input and the loss that scores its output.</summary>
/// <param name="Inputs">The batch as the model's input, [N, …].</param>
/// <param name="Loss">The objective for this batch, its targets or labels set.</param>
public readonly record struct TaskBatch(Tensor Inputs, Loss Loss);
