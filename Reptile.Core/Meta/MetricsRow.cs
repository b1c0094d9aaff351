namespace Reptile.Meta;

/// <summary>One meta-iteration of a run: its meta step ε, the mean inner training loss and, at evaluation
/// intervals, the accuracy of one evaluation task on the training and test sets.</summary>
public readonly record struct MetricsRow(int Iteration, float MetaStep, float Loss, double? TrainAccuracy = null, double? TestAccuracy = null);
