namespace Reptile.Meta;

/// <summary>
/// A regression task y = A·sin(x + b) from the Reptile paper's toy problem: A ~ U[0.1, 5], b ~ U[0, 2π],
/// observed on the fixed grid x = linspace(−5, 5, 50).
/// </summary>
/// <param name="Amplitude">A, in [0.1, 5].</param>
/// <param name="Phase">b, in radians, in [0, 2π].</param>
public readonly record struct SineWaveTask(double Amplitude, double Phase)
{
    /// <summary>Points of the fixed grid <see cref="Grid"/>.</summary>
    public const int GridSize = 50;

    /// <summary>The 50-point grid linspace(−5, 5, 50).</summary>
    public static float[] Grid { get; } = Enumerable.Range(0, GridSize).Select(i => (float)(-5.0 + 10.0 * i / (GridSize - 1))).ToArray();

    /// <summary>A task with A ~ U[0.1, 5] and b ~ U[0, 2π] drawn from <paramref name="rng"/>.</summary>
    public static SineWaveTask Sample(Rng rng)
    {
        double amplitude = rng.Uniform(0.1, 5.0);
        double phase = rng.Uniform(0, 2 * Math.PI);
        return new SineWaveTask(amplitude, phase);
    }

    /// <summary>A·sin(x + b) at <paramref name="x"/>.</summary>
    public float Evaluate(float x) => (float)(Amplitude * Math.Sin(x + Phase));
}
