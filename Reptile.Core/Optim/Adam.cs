using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Optim;

/// <summary>
/// Adam in TensorFlow's form (as supervised-reptile runs it): the bias correction folds into the step size
/// lr·√(1−β2ᵗ)/(1−β1ᵗ) and ε is added to √v. β1 = 0 is supervised-reptile's choice for the inner loop.
/// </summary>
public sealed class Adam : Optimizer
{
    private long step;

    /// <summary>Step size α, positive.</summary>
    public float LearningRate { get; }
    /// <summary>
    /// Decay of the first-moment (mean gradient) average, in [0, 1); 0 (supervised-reptile's inner loop) means no
    /// momentum.
    /// </summary>
    public float Beta1 { get; }
    /// <summary>Decay of the second-moment (squared gradient) average, in [0, 1).</summary>
    public float Beta2 { get; }
    /// <summary>Added to √v in the denominator, for stability.</summary>
    public float Epsilon { get; }
    /// <summary>The first-moment estimates m, one per parameter (checkpointed as "adam.m").</summary>
    public float[] FirstMoment { get; }
    /// <summary>The second-moment estimates v, one per parameter (checkpointed as "adam.v").</summary>
    public float[] SecondMoment { get; }

    /// <summary>Adam for a model of <paramref name="parameterCount"/> parameters, its moments at zero.</summary>
    /// <param name="parameterCount">Length of the parameter buffers it will step
    /// (<see cref="Layers.Sequential.ParameterCount"/>).</param>
    /// <param name="learningRate">Step size, positive.</param>
    /// <param name="beta1">First-moment decay in [0, 1).</param>
    /// <param name="beta2">Second-moment decay in [0, 1).</param>
    /// <param name="epsilon">Added to √v.</param>
    /// <exception cref="ArgumentOutOfRangeException">A learning rate not positive or a β outside [0, 1).</exception>
    public Adam(int parameterCount, float learningRate, float beta1 = 0f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be positive");
        if (beta1 < 0 || beta1 >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "must be in [0, 1)");
        if (beta2 < 0 || beta2 >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "must be in [0, 1)");
        (LearningRate, Beta1, Beta2, Epsilon) = (learningRate, beta1, beta2, epsilon);
        FirstMoment = new float[parameterCount];
        SecondMoment = new float[parameterCount];
        State = [("adam.m", FirstMoment), ("adam.v", SecondMoment)];
        LiveState = beta1 == 0f ? [State[1]] : State;
    }

    /// <summary>Steps taken (t of the bias correction), checkpointed with the moments.</summary>
    public override long StepCount { get => step; set => step = value; }

    /// <summary>The moments m and v, named as checkpoints store them.</summary>
    public override IReadOnlyList<(string Name, float[] Values)> State { get; }

    /// <summary>v alone when β1 = 0: m is then never read (nor written: it stays as it was, zero from the start).</summary>
    internal override IReadOnlyList<(string Name, float[] Values)> LiveState { get; }

    /// <summary>
    /// One Adam step: updates the moments from <paramref name="gradients"/> and moves <paramref name="parameters"/>
    /// by lr·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v + ε).
    /// </summary>
    /// <exception cref="ArgumentException">The buffers are not the size this optimizer was built for.</exception>
    public override unsafe void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != FirstMoment.Length || gradients.Length != FirstMoment.Length)
            throw new ArgumentException($"Adam was built for {FirstMoment.Length} parameters, got {parameters.Length} parameters and {gradients.Length} gradients.");
        step++;
        double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
        float stepSize = (float)(LearningRate * Math.Sqrt(correction2) / correction1);
        fixed (float* p = parameters, g = gradients)
        {
            // Elementwise, so the pool's threads may take parts of it (chained inner loops on two threads).
            WorkerPool.For(parameters.Length, 64, 4L * parameters.Length, new StepRange(this, p, g, stepSize));
        }
    }

    /// <summary>Elements [from, to) of a step: its buffers stay pinned by <see cref="Step"/> while the ranges run.</summary>
    private readonly unsafe struct StepRange(Adam adam, float* parameters, float* gradients, float stepSize) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int count = to - from;
            Optimizers.Adam(new Span<float>(parameters + from, count), new ReadOnlySpan<float>(gradients + from, count),
                adam.FirstMoment.AsSpan(from, count), adam.SecondMoment.AsSpan(from, count), adam.Beta1, adam.Beta2, stepSize, adam.Epsilon);
        }
    }

    /// <inheritdoc/>
    public override Optimizer Clone()
    {
        var copy = new Adam(FirstMoment.Length, LearningRate, Beta1, Beta2, Epsilon);
        copy.CopyStateFrom(this);
        return copy;
    }

    /// <summary>The settings, e.g. "Adam(lr 0.001, β1 0, β2 0.999, ε 1E-08)".</summary>
    public override string ToString() => $"Adam(lr {LearningRate}, β1 {Beta1}, β2 {Beta2}, ε {Epsilon})";
}
