namespace Reptile.Kernels;

/// <summary>
/// Everything that decides how the kernels compute on a thread: the SIMD path and the matrix product's tuning
/// knobs. Each thread computes on its own <see cref="Current"/> settings; a thread that computes on another's
/// behalf adopts that thread's settings (<see cref="Use"/>) for the work, so results never depend on which thread
/// computed them (a route or block size changes the rounding). Immutable: capturing is reading a reference, and a
/// changed knob is a new object (<c>Current with { … }</c>), so no thread sees another's change half-way.
/// </summary>
public sealed record ComputeSettings
{
    /// <summary>The widest path, the measured block sizes: what every thread uses unless told otherwise.</summary>
    public static ComputeSettings Default { get; } = new();

    [ThreadStatic] private static ComputeSettings? current;

    /// <summary>The settings the kernels use on the calling thread.</summary>
    public static ComputeSettings Current => current ?? Default;

    /// <summary>The instruction width of every kernel (at most <see cref="Simd.Best"/>).</summary>
    public SimdPath Path { get; init; } = Simd.Best;

    /// <summary>Products of m·n·k at most this take the direct loops (<see cref="GemmSmall"/>), skipping packing.</summary>
    public long SmallProductVolume { get; init; } = 48 * 1024;

    // Measured on Zen 4 (32 KB L1d, 1 MB L2): a B micro-panel (KC×NR, 32 KB) is reused by every A panel of the MC
    // block from L1/L2, the packed A block (MC×KC, 144 KB) stays in L2, B's NC×KC block in L2/L3.

    /// <summary>KC: the depth of one packed block (the blocks are balanced: 576 = 3×192, not 256+256+64).</summary>
    public int DepthBlock { get; init; } = 256;

    /// <summary>MC: the rows of one packed block of A.</summary>
    public int RowBlock { get; init; } = 144;

    /// <summary>NC: the columns of one packed block of B.</summary>
    public int ColumnBlock { get; init; } = 2048;

    /// <summary>Makes the calling thread compute on <paramref name="settings"/> until the result is disposed (a
    /// struct: adopting allocates nothing).</summary>
    public static Scope Use(ComputeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Path > Simd.Best)
            throw new ArgumentOutOfRangeException(nameof(settings), $"{settings.Path} is not accelerated on this machine (best: {Simd.Best}).");
        if (settings.DepthBlock < 1 || settings.RowBlock < 1 || settings.ColumnBlock < 1)
            throw new ArgumentOutOfRangeException(nameof(settings), $"Block sizes must be positive, got KC={settings.DepthBlock} MC={settings.RowBlock} NC={settings.ColumnBlock}.");
        var previous = current;
        current = settings;
        return new Scope(previous);
    }

    /// <summary>Restores the settings a thread had before <see cref="Use"/>.</summary>
    public readonly struct Scope(ComputeSettings? previous) : IDisposable
    {
        /// <summary>
        /// Puts back the thread's previous settings. Dispose scopes in the reverse order of <see cref="Use"/>.
        /// </summary>
        public void Dispose() => current = previous;
    }
}
