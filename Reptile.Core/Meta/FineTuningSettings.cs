namespace Reptile.Meta;

/// <summary>How a meta-trained model is fine-tuned on a new task's examples before it predicts (supervised-reptile's
/// evaluation: <c>--eval-iters</c> steps on mini-batches of <c>--eval-batch</c>).</summary>
/// <param name="Steps">Optimizer steps on the support examples.</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="Replacement">Whether each batch is drawn independently (else the examples are reshuffled when used up).</param>
/// <param name="WeightDecayRate">Parameters are multiplied by this before each step (1: none).</param>
/// <param name="Transductive">Whether queries are predicted together in one batch (else each with the support examples).</param>
public sealed record FineTuningSettings(int Steps, int BatchSize, bool Replacement = false, float WeightDecayRate = 1f, bool Transductive = false);
