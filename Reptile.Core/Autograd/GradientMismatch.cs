namespace Reptile.Autograd;

/// <summary>A coordinate where the tape's gradient and the finite difference disagree.</summary>
/// <param name="Input">Index of the input in the list checked.</param>
/// <param name="InputDescription">The input tensor's description (shape).</param>
/// <param name="Coordinate">Flat index into the input's values.</param>
/// <param name="Analytic">The backward pass's gradient there.</param>
/// <param name="Numeric">The central difference there.</param>
/// <param name="LargestAnalytic">The largest |gradient| of that input (the scale the relative tolerance uses).</param>
public sealed record GradientMismatch(int Input, string InputDescription, int Coordinate, double Analytic, double Numeric, double LargestAnalytic)
{
    /// <summary>One line: the input, the coordinate, both values and the scale.</summary>
    public override string ToString() =>
        $"input {Input} ({InputDescription}), coordinate {Coordinate}: analytic {Analytic:G6}, numeric {Numeric:G6} (|grad| max {LargestAnalytic:G4})";
}
