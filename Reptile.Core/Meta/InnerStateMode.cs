namespace Reptile.Meta;

/// <summary>How the inner optimizer's state (Adam's moments and step count) moves between tasks.</summary>
public enum InnerStateMode
{
    /// <summary>supervised-reptile: one optimizer adapts task after task, its state carried from each task to
    /// the next (only the parameters are reset to φ). Tasks run one after another.</summary>
    Chained,
    /// <summary>Every task of a meta-batch starts from the same state, and the state afterwards is the mean of
    /// theirs (as φ moves towards the mean of their weights). Tasks are independent, so they run in parallel
    /// and the result is the same on any number of threads. Identical to Chained for a meta-batch of 1.</summary>
    Averaged,
}
