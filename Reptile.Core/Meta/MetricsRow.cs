namespace Reptile.Meta;

/// <summary>One line of metrics.csv: the meta-iteration, its meta step ε and the mean inner training loss.</summary>
public readonly record struct MetricsRow(int Iteration, float MetaStep, float Loss);
