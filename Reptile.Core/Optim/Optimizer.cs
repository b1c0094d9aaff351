namespace Reptile.Optim;

/// <summary>
/// A fused update over a model's flat parameter and gradient buffers. Its state (if any) is part of a
/// Reptile run: supervised-reptile carries the inner Adam's moments across tasks and checkpoints them.
/// </summary>
public abstract class Optimizer
{
    /// <summary>
    /// Updates <paramref name="parameters"/> in place from <paramref name="gradients"/> (same length: a model's
    /// <see cref="Layers.Sequential.Parameters"/> and <see cref="Layers.Sequential.Gradients"/>), advancing any state.
    /// </summary>
    public abstract void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>Named state buffers (e.g. Adam's moments), for checkpoints.</summary>
    public virtual IReadOnlyList<(string Name, float[] Values)> State => [];

    /// <summary>The part of <see cref="State"/> a step reads (Adam without momentum never reads m): what tasks must
    /// hand over, average and send to other processes; the rest only goes to checkpoints.</summary>
    internal virtual IReadOnlyList<(string Name, float[] Values)> LiveState => State;

    /// <summary>Scalar state (e.g. Adam's step count), for checkpoints.</summary>
    public virtual long StepCount { get => 0; set { } }

    /// <summary>A copy with the same settings and state.</summary>
    public abstract Optimizer Clone();

    /// <summary>Overwrites this optimizer's state with <paramref name="other"/>'s (same type and size; of the state a
    /// step never reads, the copy keeps its own).</summary>
    public void CopyStateFrom(Optimizer other)
    {
        if (other.GetType() != GetType())
            throw new ArgumentException($"Cannot copy {other.GetType().Name} state into {GetType().Name}.", nameof(other));
        var (mine, theirs) = (LiveState, other.LiveState);
        for (int i = 0; i < mine.Count; i++) theirs[i].Values.AsSpan().CopyTo(mine[i].Values);
        StepCount = other.StepCount;
    }
}
