namespace FewShotApp;

/// <summary>The pattern families of <see cref="Pattern"/>.</summary>
public enum PatternKind
{
    /// <summary>Parallel sine stripes at an angle.</summary>
    Stripes,
    /// <summary>Concentric sine rings around a point.</summary>
    Rings,
    /// <summary>A checkerboard turned by an angle.</summary>
    Checker,
    /// <summary>A bright round spot on a dark ground.</summary>
    Spot,
}
