namespace Reptile.Meta;

/// <summary>One meta-iteration of a run: its meta step ε, the mean inner training loss and, at evaluation
/// intervals, the accuracy of one evaluation task on the training and test sets.</summary>
/// <param name="Iteration">The meta-iteration, from 0.</param>
/// <param name="MetaStep">ε used at that iteration.</param>
/// <param name="Loss">Mean loss of the inner training steps over the meta-batch.</param>
/// <param name="TrainAccuracy">Accuracy on one task of training classes, in [0, 1], or null when not evaluated.</param>
/// <param name="TestAccuracy">Accuracy on one task of test classes, in [0, 1], or null when not evaluated.</param>
public readonly record struct MetricsRow(int Iteration, float MetaStep, float Loss, double? TrainAccuracy = null, double? TestAccuracy = null);
