using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// A convolution's route without lowering (<see cref="DirectConvolution"/>) for <see cref="Conv2dOp"/>: it reads
/// position-major rows (a position-major input in place, zero row included; a channel-major one moved to rows first,
/// by 8×8 register transposes) and writes a position-major output, bias included. The products run in parts on the
/// <see cref="WorkerPool"/> (forward by tiles of positions, weight gradient by row panels, input gradient by channel
/// panels, or the two gradients side by side on two threads), each part computing the bits the whole would.
/// </summary>
internal sealed unsafe class Conv2dDirect
{
    private ConvolutionPlan plan = null!;
    private int inChannels, outChannels, taps;
    private int[] rowTable = [];
    private Tensor input = null!;
    private bool inputInPlace;
    // Position-major copies of a channel-major input (with a zero row) and of its gradient (with a discard row); the
    // weights per tap by input and by output channel; the weight gradient per tap, then in PyTorch's layout; a
    // channel-major scratch (the input gradient laid back, or dY for the lowering).
    private float[] inputRows = [], weightByInput = [], weightByOutput = [], weightGradient = [], inputGradientRows = [],
        channelMajor = [];
    // A shallow input's rows lowered to taps × channels for the forward, and the table that reads them in order.
    private float[] loweredRows = [];
    private int[] identityRows = [];

    /// <summary>
    /// <paramref name="output"/> (position-major [positions][out], its rows reshaped by the caller) = bias + the
    /// convolution of <paramref name="input"/> (position-major, or channel-major [in][pixels]).
    /// </summary>
    public void Forward(Tensor input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ConvolutionPlan plan, int inChannels,
        int outChannels, Tensor output)
    {
        (this.plan, this.inChannels, this.outChannels, taps, this.input) = (plan, inChannels, outChannels, plan.KernelH * plan.KernelW, input);
        rowTable = plan.DirectRows;
        int positions = plan.Columns;
        var x = Rows(input);
        PinnedBuffer.Grow(ref weightByInput, taps * inChannels * outChannels);
        PinnedBuffer.Grow(ref weightByOutput, taps * inChannels * outChannels);
        fixed (float* px = x, pw = weight, pb = bias, w = PinnedBuffer.Aligned(weightByInput), wo = PinnedBuffer.Aligned(weightByOutput),
               o = output.Values)
        fixed (int* rows = rowTable)
        {
            // The two layouts in two cuts: rows of 8 by all taps (vector-wide on any cut), then taps.
            int block = outChannels * inChannels;
            var byOutput = new ByOutputParts(pw, wo, outChannels, inChannels, taps);
            WorkerPool.For((block + 7) / 8, 1, (long)taps * block, in byOutput);
            var byInput = new ByInputParts(wo, w, outChannels, inChannels);
            WorkerPool.For(taps, 1, (long)taps * block, in byInput);
            int tiles = (positions + DirectConvolution.Rows - 1) / DirectConvolution.Rows;
            if (DirectConvolution.LowersForward(inChannels))
            {
                int depth = taps * inChannels;
                Lowered(positions, depth);
                fixed (float* lowered = PinnedBuffer.Aligned(loweredRows))
                fixed (int* identity = identityRows)
                {
                    var shallow = new ShallowForwardParts(px, rows, lowered, identity, w, pb, o, positions, inChannels, outChannels, taps);
                    WorkerPool.For(tiles, 1, Work, in shallow);
                }
                return;
            }
            var parts = new ForwardParts(px, w, pb, rows, o, positions, inChannels, outChannels, taps);
            WorkerPool.For(tiles, 1, Work, in parts);
        }
    }

    /// <summary>Room for <paramref name="positions"/> lowered rows of <paramref name="depth"/> and the zero rows a
    /// ragged tile reads past them, and the row table that reads them in order (both only grow: evaluation
    /// alternates batch sizes, and a longer table reads the same rows).</summary>
    private void Lowered(int positions, int depth)
    {
        int rowCount = positions + DirectConvolution.Rows;
        PinnedBuffer.Grow(ref loweredRows, rowCount * depth);
        PinnedBuffer.Aligned(loweredRows).Slice(positions * depth, DirectConvolution.Rows * depth).Clear();
        if (identityRows.Length >= rowCount) return;
        identityRows = new int[rowCount];
        for (int p = 0; p < rowCount; p++) identityRows[p] = p;
    }

    /// <summary>Whether a tensor's rows can be read (or added into) in place: position-major, with the spare rows
    /// <see cref="Tensor.ReshapeRows"/> keeps (the padding's zero row, or its discarded sums).</summary>
    private static bool InPlace(Tensor t, float[]? buffer, int start) =>
        t.Layout == TensorLayout.PositionMajor && buffer != null && buffer.Length - start >= t.Length + DirectConvolution.Rows * t.Dim(1);

    /// <summary>The input as rows [pixels + 1][in] whose last row is zeros: in place, or moved into <see cref="inputRows"/>.</summary>
    private Span<float> Rows(Tensor x)
    {
        int pixels = plan.Plane;
        inputInPlace = InPlace(x, x.Data, x.Offset);
        if (inputInPlace) return InputRows();
        PinnedBuffer.Grow(ref inputRows, (pixels + 1) * inChannels);
        var rows = InputRows();
        RowTranspose.Copy(x.Values, inChannels, pixels, rows);
        rows.Slice(pixels * inChannels, inChannels).Clear(); // the padding reads this row
        return rows;
    }

    /// <summary>The rows the last forward read.</summary>
    private Span<float> InputRows() => inputInPlace
        ? input.Data.AsSpan(input.Offset, (plan.Plane + 1) * inChannels)
        : PinnedBuffer.Aligned(inputRows).Slice(0, (plan.Plane + 1) * inChannels);

    /// <summary>
    /// The gradients asked for from dY (<paramref name="output"/>'s position-major gradient, whose spare rows ragged
    /// tiles read): the weight's [out][in][kh][kw] += its sum over the positions, the input's += the input gradient
    /// (input channels in whole 32-channel panels; added in place into a position-major input's rows). When both are
    /// asked for, on exactly two threads each thread starts on one whole product (their work is equal: positions × taps
    /// × channels in × out), one hand-over for both, and the first done takes the other's remaining panels (a core
    /// slowed by its neighbours is not waited for); otherwise each product is shared by the threads in turn. Every
    /// value is computed the same way either way.
    /// </summary>
    public void AddGradients(Tensor output, Span<float> weightGradientOut, bool weights, bool inputGradient)
    {
        int length = taps * inChannels * outChannels, pixels = plan.Plane;
        int weightPanels = DirectConvolution.WeightPanels(inChannels, outChannels, taps);
        int inputPanels = inChannels / DirectConvolution.Panel;
        PinnedBuffer.Grow(ref weightGradient, 2 * length); // the sums, then PyTorch's layout of them
        bool inPlace = inputGradient && InPlace(input, input.GradData, input.GradOffset);
        Span<float> gradientRows = default;
        if (inPlace) gradientRows = input.GradData.AsSpan(input.GradOffset, (pixels + 1) * inChannels);
        else if (inputGradient)
        {
            PinnedBuffer.Grow(ref inputGradientRows, (pixels + 1) * inChannels);
            gradientRows = PinnedBuffer.Aligned(inputGradientRows).Slice(0, (pixels + 1) * inChannels);
            gradientRows.Clear();
        }
        fixed (float* x = InputRows(), dy = output.GradData.AsSpan(output.GradOffset), g = PinnedBuffer.Aligned(weightGradient),
               w = PinnedBuffer.Aligned(weightByOutput), gx = gradientRows, target = weightGradientOut)
        fixed (int* rows = rowTable)
        {
            var weightParts = new WeightGradientParts(x, dy, rows, g, plan.Columns, inChannels, outChannels, taps);
            var inputParts = new InputGradientParts(dy, w, rows, gx, plan.Columns, inChannels, outChannels, taps);
            if (weights && inputGradient && WorkerPool.Threads == 2)
            {
                var both = new BothParts(weightParts, weightPanels, inputParts);
                WorkerPool.For(weightPanels + inputPanels, 1, 2 * Work, in both, weightPanels);
            }
            else
            {
                if (weights) WorkerPool.For(weightPanels, 1, Work, in weightParts);
                if (inputGradient) WorkerPool.For(inputPanels, 1, Work, in inputParts);
            }
            if (weights)
            {
                var arrange = new ArrangeGradientParts(g, g + length, target, outChannels, inChannels, taps);
                WorkerPool.For(inChannels, 1, 3L * length, in arrange);
            }
        }
        if (!inputGradient || inPlace) return;
        PinnedBuffer.Grow(ref channelMajor, inChannels * pixels);
        var laidBack = PinnedBuffer.Aligned(channelMajor).Slice(0, inChannels * pixels);
        RowTranspose.Copy(gradientRows, pixels, inChannels, laidBack);
        fixed (float* target = input.Grad, add = laidBack)
        {
            var parts = new AddParts(target, add, pixels);
            WorkerPool.For(inChannels, 1, (long)inChannels * pixels, in parts);
        }
    }

    /// <summary>dY [out][positions], laid channel-major from <paramref name="output"/>'s rows (for the lowering).</summary>
    public Span<float> OutputGradientChannelMajor(Tensor output)
    {
        int positions = plan.Columns;
        PinnedBuffer.Grow(ref channelMajor, outChannels * positions);
        var dy = PinnedBuffer.Aligned(channelMajor).Slice(0, outChannels * positions);
        RowTranspose.Copy(output.Grad, positions, outChannels, dy);
        return dy;
    }

    /// <summary>Items [0, weightPanels): the weight gradient's row panels; then the input gradient's channel panels.</summary>
    private readonly struct BothParts(WeightGradientParts weights, int weightPanels, InputGradientParts input) : IRangeBody
    {
        public void Run(int from, int to)
        {
            if (from < weightPanels) weights.Run(from, Math.Min(to, weightPanels));
            if (to > weightPanels) input.Run(Math.Max(from, weightPanels) - weightPanels, to - weightPanels);
        }
    }

    /// <summary>Channels [from, to) of target += addend, each channel <paramref name="length"/> values.</summary>
    private readonly struct AddParts(float* target, float* addend, int length) : IRangeBody
    {
        public void Run(int from, int to)
        {
            var t = new Span<float>(target + (nint)from * length, (to - from) * length);
            System.Numerics.Tensors.TensorPrimitives.Add(t, new ReadOnlySpan<float>(addend + (nint)from * length, (to - from) * length), t);
        }
    }

    private long Work => (long)plan.Columns * taps * inChannels * outChannels;

    /// <summary>Groups of 8 rows [from, to) of the weights as [tap][out][in].</summary>
    private readonly struct ByOutputParts(float* weight, float* byOutput, int outChannels, int inChannels, int taps) : IRangeBody
    {
        public void Run(int from, int to) => DirectConvolution.WeightsByOutput(weight, outChannels, inChannels, taps, byOutput, from * 8,
            Math.Min(outChannels * inChannels, to * 8));
    }

    /// <summary>Taps [from, to) of the weights as [tap][in][out].</summary>
    private readonly struct ByInputParts(float* byOutput, float* byInput, int outChannels, int inChannels) : IRangeBody
    {
        public void Run(int from, int to) => DirectConvolution.WeightsByInput(byOutput, outChannels, inChannels, byInput, from, to);
    }

    /// <summary>Input channels [from, to) of the weight gradient laid out as PyTorch's, then added to the target while
    /// they are in cache (one run of their taps per output channel; an element's sum is the same in any part).</summary>
    private readonly struct ArrangeGradientParts(float* byInput, float* arranged, float* target, int outChannels, int inChannels, int taps)
        : IRangeBody
    {
        public void Run(int from, int to)
        {
            DirectConvolution.ArrangeWeightGradient(byInput, outChannels, inChannels, taps, arranged, from, to);
            int run = (to - from) * taps;
            for (int o = 0; o < outChannels; o++)
            {
                nint at = ((nint)o * inChannels + from) * taps;
                var t = new Span<float>(target + at, run);
                System.Numerics.Tensors.TensorPrimitives.Add(t, new ReadOnlySpan<float>(arranged + at, run), t);
            }
        }
    }

    private readonly struct ForwardParts(float* x, float* w, float* bias, int* rows, float* y, int positions, int inChannels, int outChannels, int taps) : IRangeBody
    {
        public void Run(int from, int to) => DirectConvolution.Forward(x, w, bias, rows, y, positions, inChannels, outChannels, taps, from, to);
    }

    /// <summary>Output tiles [from, to) of a shallow input: their positions lowered (<see cref="DirectConvolution.LowerRows"/>),
    /// then the forward over them as a 1×1 convolution of depth taps × channels.</summary>
    private readonly struct ShallowForwardParts(float* x, int* rows, float* lowered, int* identity, float* w, float* bias, float* y,
        int positions, int inChannels, int outChannels, int taps) : IRangeBody
    {
        public void Run(int from, int to)
        {
            DirectConvolution.LowerRows(x, rows, inChannels, taps, lowered, from * DirectConvolution.Rows,
                Math.Min(positions, to * DirectConvolution.Rows));
            DirectConvolution.Forward(lowered, w, bias, identity, y, positions, taps * inChannels, outChannels, 1, from, to);
        }
    }

    private readonly struct WeightGradientParts(float* x, float* dy, int* rows, float* g, int positions, int inChannels, int outChannels, int taps) : IRangeBody
    {
        public void Run(int from, int to) =>
            DirectConvolution.WeightGradient(x, dy, rows, g, positions, inChannels, outChannels, taps, from, to);
    }

    private readonly struct InputGradientParts(float* dy, float* w, int* rows, float* dx, int positions, int inChannels, int outChannels, int taps) : IRangeBody
    {
        public void Run(int from, int to) =>
            DirectConvolution.InputGradient(dy, w, rows, dx, positions, inChannels, outChannels, taps, from, to);
    }
}
