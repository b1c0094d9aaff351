namespace Reptile.Autograd;

/// <summary>How <see cref="GradientCheck.FindMismatch"/> differences and compares.</summary>
/// <param name="Step">How far each coordinate is moved either way (float32 inputs: about 1e-3 keeps rounding small
/// against the difference).</param>
/// <param name="RelativeTolerance">Allowed error relative to the larger of the numeric gradient and the largest analytic
/// gradient of the same input.</param>
/// <param name="AbsoluteTolerance">Allowed error regardless of scale.</param>
/// <param name="MaxCoordinates">Coordinates checked per input (all of them for smaller inputs, else random ones).</param>
public sealed record GradientCheckSettings(double Step = 1e-3, double RelativeTolerance = 2e-3, double AbsoluteTolerance = 2e-4, int MaxCoordinates = 40);
