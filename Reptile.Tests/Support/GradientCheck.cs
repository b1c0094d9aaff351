using Reptile.Autograd;

namespace Reptile.Tests.Support;

/// <summary>
/// Compares an analytic gradient with central finite differences. The scalar being differentiated is the
/// probe L = Σ yᵢ·rᵢ over the output y with fixed random weights r, summed in double, so the differences
/// see no float rounding of a loss; d L / d y = r starts the backward pass.
/// </summary>
public static class GradientCheck
{
    /// <summary>Adds L = Σ y·r to the tape so Backward can start from it.</summary>
    private sealed class ProbeLoss(Tensor output, float[] weights) : IBackward
    {
        public Tensor Scalar { get; } = Tensor.Zeros(true, 1);

        public void Record(Tape tape)
        {
            Scalar.Values[0] = (float)Value(output, weights);
            tape.Record(this, Scalar);
        }

        public void Backward()
        {
            var g = output.Grad;
            for (int i = 0; i < g.Length; i++) g[i] += Scalar.Grad[0] * weights[i];
        }
    }

    private static double Value(Tensor output, float[] weights)
    {
        double sum = 0;
        var y = output.Values;
        for (int i = 0; i < y.Length; i++) sum += (double)y[i] * weights[i];
        return sum;
    }

    /// <summary>
    /// Checks d probe / d t for every tensor in <paramref name="wrt"/> (each must track gradients; at most
    /// <paramref name="maxCoordinates"/> random coordinates of each are differenced). Returns a description of
    /// the first mismatch, or null.
    /// </summary>
    public static string? Check(Func<Tape?, Tensor> forward, IReadOnlyList<Tensor> wrt, Rng rng,
        double step = 1e-3, double relativeTolerance = 2e-3, double absoluteTolerance = 2e-4, int maxCoordinates = 40)
    {
        var tape = new Tape();
        foreach (var t in wrt) t.Grad.Clear();
        var output = forward(tape);
        var weights = new float[output.Length];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)rng.Uniform(-1, 1);
        var probe = new ProbeLoss(output, weights);
        probe.Record(tape);
        tape.Backward(probe.Scalar);
        var analytic = wrt.Select(t => t.Grad.ToArray()).ToArray();

        for (int k = 0; k < wrt.Count; k++)
        {
            var values = wrt[k].Values;
            double scale = analytic[k].Length == 0 ? 0 : analytic[k].Max(v => Math.Abs((double)v));
            int count = Math.Min(values.Length, maxCoordinates);
            for (int c = 0; c < count; c++)
            {
                int i = values.Length <= maxCoordinates ? c : rng.NextInt(values.Length);
                float original = values[i];
                values[i] = original + (float)step;
                double plus = Value(forward(null), weights);
                values = wrt[k].Values;
                values[i] = original - (float)step;
                double minus = Value(forward(null), weights);
                values = wrt[k].Values;
                values[i] = original;
                double actualStep = ((double)(original + (float)step) - (original - (float)step)) / 2;
                double numeric = (plus - minus) / (2 * actualStep);
                double error = Math.Abs(numeric - analytic[k][i]);
                if (error > absoluteTolerance + relativeTolerance * Math.Max(scale, Math.Abs(numeric)))
                    return $"input {k} ({wrt[k]}), coordinate {i}: analytic {analytic[k][i]:G6}, numeric {numeric:G6} (|grad| max {scale:G4})";
            }
        }
        return null;
    }

    public static Tensor Random(Rng rng, bool requiresGrad, params int[] shape)
    {
        var t = Tensor.Zeros(requiresGrad, shape);
        var v = t.Values;
        for (int i = 0; i < v.Length; i++) v[i] = (float)rng.Uniform(-1, 1);
        return t;
    }
}
