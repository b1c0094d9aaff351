namespace Reptile.IO;

/// <summary>
/// Upper bounds the readers check a file's header against before they allocate. Besides these, nothing is
/// allocated that the bytes present do not justify (a length must fit in what remains of the file; compressed
/// data may claim at most what deflate can produce from its size). Raise a limit per call (the readers take an
/// optional <see cref="ReadLimits"/>) or for the whole process through <see cref="Default"/>.
/// </summary>
public sealed record ReadLimits
{
    /// <summary>Most pixels (width × height) one image may have. Default 64 Mi (8192 × 8192); Omniglot's are 105 × 105.</summary>
    public long MaxImagePixels { get; init; } = 1L << 26;

    /// <summary>Most bytes one array or tensor may occupy when loaded whole. Default 1 GiB.</summary>
    public long MaxTensorBytes { get; init; } = 1L << 30;

    /// <summary>Most bytes one compressed archive entry may inflate to. Default 512 MiB (Omniglot's largest array, in
    /// images_background.npz, inflates to 212 MB).</summary>
    public long MaxInflatedEntryBytes { get; init; } = 512L << 20;

    private static ReadLimits current = new();

    /// <summary>The limits used when a reader is given none. Settable, e.g. once at startup for unusually large data.</summary>
    public static ReadLimits Default
    {
        get => Volatile.Read(ref current);
        set => Volatile.Write(ref current, value?.Validated() ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>The given limits, or <see cref="Default"/> when null.</summary>
    internal static ReadLimits Or(ReadLimits? limits) => limits?.Validated() ?? Default;

    private ReadLimits Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxImagePixels, nameof(MaxImagePixels));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTensorBytes, nameof(MaxTensorBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxInflatedEntryBytes, nameof(MaxInflatedEntryBytes));
        return this;
    }
}
