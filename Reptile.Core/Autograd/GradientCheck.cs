namespace Reptile.Autograd;

/// <summary>
/// Checks a layer's or op's backward pass against central finite differences, the way this project tests its own
/// (an FsCheck property over random shapes calls it once per case). The function differentiated is the probe
/// L = Σ yᵢ·rᵢ over the output y with fixed random weights r, summed in double, so the differences see no rounding
/// of a float32 loss; dL/dy = r starts the tape's backward pass. Each checked coordinate is moved by ±step and the
/// forward pass run again (in float32, as the engine computes), so the tolerances allow for float32 rounding.
/// </summary>
/// <example>
/// <code>
/// var x = GradientCheck.RandomTensor(rng, requiresGrad: true, 4, 7);
/// var layer = new Sequential(new Linear(7, 3));
/// var mismatch = GradientCheck.FindMismatch(tape => layer.Forward(x, tape), [.. layer.NamedParameters.Select(p => p.Tensor), x], rng);
/// // null: every checked coordinate agrees
/// </code>
/// </example>
public static class GradientCheck
{
    /// <summary>
    /// Compares the gradient of the probe with respect to each of <paramref name="inputs"/> (tensors that track
    /// gradients and that <paramref name="forward"/> reads) with central differences, at up to
    /// <see cref="GradientCheckSettings.MaxCoordinates"/> random coordinates of each. Returns the first mismatch, or
    /// null when all agree. <paramref name="forward"/> is called once with a tape (to record the backward pass) and
    /// twice per coordinate without one; it must give the same values for the same inputs.
    /// </summary>
    public static GradientMismatch? FindMismatch(Func<Tape?, Tensor> forward, IReadOnlyList<Tensor> inputs, Rng rng, GradientCheckSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(rng);
        settings ??= new GradientCheckSettings();
        var tape = new Tape();
        foreach (var t in inputs)
        {
            if (!t.RequiresGrad) throw new ArgumentException($"Input {t} tracks no gradient: create it with requiresGrad.", nameof(inputs));
            t.Grad.Clear();
        }
        var output = forward(tape);
        var weights = new float[output.Length];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)rng.Uniform(-1, 1);
        var probe = new ProbeLoss(output, weights);
        probe.Record(tape);
        tape.Backward(probe.Scalar);
        var analytic = inputs.Select(t => t.Grad.ToArray()).ToArray();

        for (int k = 0; k < inputs.Count; k++)
        {
            double largest = analytic[k].Length == 0 ? 0 : analytic[k].Max(v => Math.Abs((double)v));
            int length = inputs[k].Values.Length, count = Math.Min(length, settings.MaxCoordinates);
            for (int c = 0; c < count; c++)
            {
                int i = length <= settings.MaxCoordinates ? c : rng.NextInt(length);
                float original = inputs[k].Values[i];
                float up = original + (float)settings.Step, down = original - (float)settings.Step;
                inputs[k].Values[i] = up;
                double plus = ProbeLoss.Value(forward(null), weights);
                inputs[k].Values[i] = down;
                double minus = ProbeLoss.Value(forward(null), weights);
                inputs[k].Values[i] = original;
                // The step actually taken in float32, not the one asked for.
                double numeric = (plus - minus) / ((double)up - down);
                double error = Math.Abs(numeric - analytic[k][i]);
                if (error > settings.AbsoluteTolerance + settings.RelativeTolerance * Math.Max(largest, Math.Abs(numeric)))
                    return new GradientMismatch(k, inputs[k].ToString(), i, analytic[k][i], numeric, largest);
            }
        }
        return null;
    }

    /// <summary>A tensor of the given shape with values drawn uniformly from [−1, 1].</summary>
    public static Tensor RandomTensor(Rng rng, bool requiresGrad, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Tensor.Zeros(requiresGrad, shape);
        var v = t.Values;
        for (int i = 0; i < v.Length; i++) v[i] = (float)rng.Uniform(-1, 1);
        return t;
    }

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

        public static double Value(Tensor output, float[] weights)
        {
            double sum = 0;
            var y = output.Values;
            for (int i = 0; i < y.Length; i++) sum += (double)y[i] * weights[i];
            return sum;
        }
    }
}
