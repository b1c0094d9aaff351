using Reptile.Autograd;
using Reptile.IO;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Objectives;
using Reptile.Optim;
using Reptile.Tests.Support;

namespace Reptile.Tests.Reference;

/// <summary>
/// Checks our engine against values PyTorch computed in float64 (../shared/reference): a forward pass, the
/// loss, every gradient, and one whole Reptile meta-iteration run through <see cref="ReptileTrainer"/>.
/// Errors are measured as max |ours − theirs| / max |theirs| per tensor, as the reference README asks.
/// </summary>
internal sealed class PyTorchReference : IDisposable
{
    private readonly NpzArchive npz;

    public PyTorchReference(string file) => npz = NpzArchive.Open(SharedData.Reference(file));

    public float[] Floats(string name) => npz.Get(name).ToFloatArray();
    public double Scalar(string name) => npz.Get(name).ToDoubleArray()[0];
    public int[] Labels(string name) => npz.Get(name).ToInt64Array().Select(v => checked((int)v)).ToArray();
    public Tensor Input(string name) => Tensor.FromArray(Floats(name), npz.Get(name).Shape);

    public void LoadParameters(Sequential model, string prefix)
    {
        foreach (var p in model.NamedParameters)
        {
            var array = npz.Get(prefix + p.Name);
            Assert.Equal(p.Tensor.Shape.ToArray(), array.Shape);
            array.ToFloatArray().CopyTo(p.Tensor.Values);
        }
    }

    public static double RelativeError(ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs)
    {
        Assert.Equal(theirs.Length, ours.Length);
        double maxErr = 0, maxRef = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            maxErr = Math.Max(maxErr, Math.Abs((double)ours[i] - theirs[i]));
            maxRef = Math.Max(maxRef, Math.Abs((double)theirs[i]));
        }
        return maxRef == 0 ? maxErr : maxErr / maxRef;
    }

    public static void AssertClose(string what, ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs, double tolerance = 1e-4) =>
        Assert.True(RelativeError(ours, theirs) <= tolerance, $"{what}: relative error {RelativeError(ours, theirs):G3} > {tolerance:G3}");

    /// <summary>Forward, loss and all gradients against the reference; gradients listed in
    /// <paramref name="absoluteOnly"/> (true value 0) are compared with an absolute tolerance.</summary>
    public void CheckGradients(Sequential model, Loss loss, Tensor input, ISet<string>? absoluteOnly = null)
    {
        CheckForwardAndBackward(model, loss, input);
        foreach (var p in model.NamedParameters)
        {
            var theirs = Floats("g." + p.Name);
            var ours = model.Gradients.AsSpan(p.Offset, p.Length);
            if (absoluteOnly?.Contains(p.Name) == true)
                Assert.True(ours.ToArray().Max(Math.Abs) < 1e-5, $"g.{p.Name} should be ~0");
            else
                AssertClose("g." + p.Name, ours, theirs);
        }
    }

    /// <summary>Loads <c>p.*</c>, checks the logits and the loss against the reference, and leaves d loss / d param
    /// in <c>model.Gradients</c>.</summary>
    public void CheckForwardAndBackward(Sequential model, Loss loss, Tensor input)
    {
        LoadParameters(model, "p.");
        var tape = new Tape();
        model.ZeroGrad();
        var output = model.Forward(input, tape);
        AssertClose("logits", output.Values, Floats("logits"));
        var value = loss.Forward(output, tape);
        Assert.True(Math.Abs(value.Values[0] - Scalar("loss")) <= 1e-4 * Math.Abs(Scalar("loss")), $"loss {value.Values[0]} vs {Scalar("loss")}");
        tape.Backward(value);
    }

    /// <summary>Replays the reference's task batches through the real trainer and compares φ afterwards.</summary>
    /// <remarks>With <paramref name="checkUpdate"/> the update r − p is also compared on its own (to 1e-4 of its own
    /// size): r is dominated by p, and the update is where the gradients of every inner step show.</remarks>
    public void CheckMetaIteration(Sequential model, Func<int, int, (Tensor Input, Loss Loss)> batch, int tasks, int steps, bool checkUpdate = false)
    {
        LoadParameters(model, "p.");
        var loop = new ReplayTasks(batch, steps);
        var trainer = new ReptileTrainer(model, new Sgd((float)Scalar("inner_lr")), loop, new ReptileOptions
        {
            MetaBatch = tasks,
            MetaStep = (float)Scalar("meta_step"),
            MetaStepFinal = (float)Scalar("meta_step"),
            MetaIterations = 1,
        });
        trainer.Step();
        foreach (var p in model.NamedParameters)
        {
            AssertClose("r." + p.Name, model.Parameters.AsSpan(p.Offset, p.Length), Floats("r." + p.Name));
            if (!checkUpdate) continue;
            var start = Floats("p." + p.Name);
            var theirs = Floats("r." + p.Name).Select((r, i) => r - start[i]).ToArray();
            var ours = model.Parameters.AsSpan(p.Offset, p.Length).ToArray().Select((r, i) => r - start[i]).ToArray();
            // Conv biases do not move (their gradients cancel before batch norm): compare those absolutely.
            if (theirs.Max(Math.Abs) == 0) Assert.True(ours.Max(Math.Abs) < 1e-6, $"r.{p.Name} − p should be ~0");
            else AssertClose("r." + p.Name + " − p", ours, theirs);
        }
    }

    /// <summary>Tasks that replay given batches instead of sampling.</summary>
    private sealed class ReplayTasks(Func<int, int, (Tensor Input, Loss Loss)> batch, int steps) : ITaskSampler
    {
        private int task = -1;

        public int Sample(Rng rng)
        {
            task++;
            return steps;
        }

        public TaskBatch Batch(int step, Rng rng)
        {
            var (input, loss) = batch(task, step);
            return new TaskBatch(input, loss);
        }

        public ITaskSampler Clone() => throw new NotSupportedException();
    }

    public void Dispose() => npz.Dispose();
}
