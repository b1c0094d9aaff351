using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// Reverse-mode autograd: ops record themselves (with the tensor they produced) in forward order;
/// <see cref="Backward"/> zeroes those outputs' gradients, seeds d loss / d loss = 1 and runs the
/// backwards in reverse. The tape only orders; the maths lives in each op. Reused across steps: after
/// the first step recording allocates nothing.
/// </summary>
public sealed class Tape
{
    private readonly List<IBackward> ops = new(64);
    private readonly List<Tensor> outputs = new(64);

    /// <summary>Ops recorded since the last <see cref="Backward"/> or <see cref="Clear"/>.</summary>
    public int Count => ops.Count;

    /// <summary>Appends <paramref name="op"/> and the tensor it produced; called by an op's forward.</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> does not track gradients.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="op"/> is already on the tape (its output buffer
    /// would be overwritten before its backward runs).</exception>
    public void Record(IBackward op, Tensor output)
    {
        if (!output.RequiresGrad)
            throw new ArgumentException($"The output {output} of a recorded op must track gradients.", nameof(output));
        // An op's output buffer is overwritten by its next forward pass, and its backward reads what the last one
        // saved: a second recording in one step would silently compute wrong gradients.
        foreach (var recorded in ops)
            if (ReferenceEquals(recorded, op))
                throw new InvalidOperationException(
                    $"{op.GetType().Name} is already on the tape: an op, and so the layer that owns it, may be applied once per " +
                    "recorded step (use another layer instance, or run Backward before recording again).");
        ops.Add(op);
        outputs.Add(output);
    }

    /// <summary>Back-propagates from the scalar <paramref name="loss"/>, accumulating into parameter
    /// gradients (zero them first, e.g. with Sequential.ZeroGrad), then clears the tape.</summary>
    public void Backward(Tensor loss)
    {
        if (loss.Length != 1)
            throw new ArgumentException($"Backward starts from a scalar loss, got {loss}.", nameof(loss));
        if (ops.Count == 0 || !ReferenceEquals(outputs[^1], loss))
            throw new InvalidOperationException("The loss must be the output of the last recorded op.");
        long total = 0;
        foreach (var t in outputs) total += t.Length;
        // One pass (and one hand-over to the helper) for all the gradients, split by values, not by tensor.
        if (total <= int.MaxValue)
            WorkerPool.For((int)total, 64, total, new ClearGradients(this));
        else
            foreach (var t in outputs) t.Grad.Clear();
        loss.Grad[0] = 1f;
        for (int i = ops.Count - 1; i >= 0; i--) ops[i].Backward();
        Clear();
    }

    /// <summary>Clears values [from, to) of the outputs' gradients laid end to end.</summary>
    private readonly struct ClearGradients(Tape tape) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int start = 0;
            foreach (var t in tape.outputs)
            {
                int end = start + t.Length;
                if (end > from && start < to)
                    t.Grad[(Math.Max(from, start) - start)..(Math.Min(to, end) - start)].Clear();
                start = end;
            }
        }
    }

    /// <summary>Forgets the recorded ops without back-propagating (e.g. after an abandoned step).</summary>
    public void Clear()
    {
        ops.Clear();
        outputs.Clear();
    }
}
