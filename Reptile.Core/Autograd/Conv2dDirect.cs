using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Reptile.Kernels;
using Reptile.Threading;

namespace Reptile.Autograd;

/// <summary>
/// A convolution's route without lowering (<see cref="DirectConvolution"/>) for <see cref="Conv2dOp"/>: its
/// channel-major tensors are moved to position-major rows and back (8×8 register transposes; the forward's output
/// tile by tile), the products run in parts on the <see cref="WorkerPool"/> (forward by tiles of positions, weight
/// gradient by row panels, input gradient by channel panels, or the two gradients side by side on two threads), each
/// part computing the bits the whole would.
/// </summary>
internal sealed unsafe class Conv2dDirect
{
    private ConvolutionPlan plan = null!;
    private int inChannels, outChannels, taps;
    private int[] rowTable = [];
    // Position-major: the input with a zero row, the output's gradient with room for a ragged tile; the weights per
    // tap by input and by output channel; the weight gradient per tap (and its scratch); the input gradient in rows
    // with a discard row, and channel-major.
    private float[] inputRows = [], outputGradientRows = [], weightByInput = [], weightByOutput = [],
        weightGradient = [], inputGradientRows = [], inputGradient = [];

    /// <summary>y [out][positions] = the convolution of input [in][pixels] (the bias is the caller's).</summary>
    public void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ConvolutionPlan plan, int inChannels, int outChannels, Span<float> y)
    {
        (this.plan, this.inChannels, this.outChannels, taps) = (plan, inChannels, outChannels, plan.KernelH * plan.KernelW);
        rowTable = plan.DirectRows;
        int pixels = plan.Plane, positions = plan.Columns;
        ToRows(input, inChannels, pixels, ref inputRows);
        Aligned(inputRows).Slice(pixels * inChannels, inChannels).Clear(); // the padding reads this row
        Grow(ref weightByInput, taps * inChannels * outChannels);
        Grow(ref weightByOutput, taps * inChannels * outChannels);
        fixed (float* x = Aligned(inputRows), pw = weight, w = Aligned(weightByInput), wo = Aligned(weightByOutput), o = y)
        fixed (int* rows = rowTable)
        {
            DirectConvolution.ArrangeWeights(pw, outChannels, inChannels, taps, wo, w);
            var parts = new ForwardParts(x, w, rows, o, positions, inChannels, outChannels, taps);
            WorkerPool.For((positions + DirectConvolution.Rows - 1) / DirectConvolution.Rows, 1, Work, in parts);
        }
    }

    /// <summary>
    /// The gradients asked for from dY [out][positions] (moved to rows first): the weight's [out][in][kh][kw] += its sum
    /// over the positions, dx [in][pixels] += the input gradient (input channels in whole 32-channel panels). When
    /// both are, on exactly two threads each thread computes one whole product (their work is equal: positions × taps
    /// × channels in × out), which needs no cut and one hand-over; otherwise each product is cut across the threads in
    /// turn. Every value is computed the same way either way.
    /// </summary>
    public void AddGradients(ReadOnlySpan<float> outputGradient, Span<float> weightGradientOut, Span<float> dx, bool weights, bool input)
    {
        ToRows(outputGradient, outChannels, plan.Columns, ref outputGradientRows);
        int length = taps * inChannels * outChannels, pixels = plan.Plane;
        int weightPanels = (taps * inChannels + DirectConvolution.Rows - 1) / DirectConvolution.Rows;
        int inputPanels = inChannels / DirectConvolution.Panel;
        Grow(ref weightGradient, 3 * length); // the sums, then AddWeightGradient's two scratch blocks
        if (input)
        {
            Grow(ref inputGradientRows, (pixels + 1) * inChannels);
            Aligned(inputGradientRows).Slice(0, (pixels + 1) * inChannels).Clear();
        }
        fixed (float* x = Aligned(inputRows), dy = Aligned(outputGradientRows), g = Aligned(weightGradient),
               w = Aligned(weightByOutput), gx = Aligned(inputGradientRows))
        fixed (int* rows = rowTable)
        {
            var weightParts = new WeightGradientParts(x, dy, rows, g, plan.Columns, inChannels, outChannels, taps);
            var inputParts = new InputGradientParts(dy, w, rows, gx, plan.Columns, inChannels, outChannels, taps);
            if (weights && input && WorkerPool.Threads == 2)
            {
                var both = new BothParts(weightParts, weightPanels, inputParts, inputPanels);
                WorkerPool.For(2, 1, 2 * Work, in both);
            }
            else
            {
                if (weights) WorkerPool.For(weightPanels, 1, Work, in weightParts);
                if (input) WorkerPool.For(inputPanels, 1, Work, in inputParts);
            }
            if (weights) DirectConvolution.AddWeightGradient(g, outChannels, inChannels, taps, weightGradientOut, g + length);
        }
        if (!input) return;
        Grow(ref inputGradient, inChannels * pixels);
        var channelMajor = Aligned(inputGradient).Slice(0, inChannels * pixels);
        Transpose(Aligned(inputGradientRows), pixels, inChannels, channelMajor);
        fixed (float* target = dx, add = channelMajor)
        {
            var parts = new AddParts(target, add, pixels);
            WorkerPool.For(inChannels, 1, (long)inChannels * pixels, in parts);
        }
    }

    /// <summary>Item 0: the whole weight gradient; item 1: the whole input gradient.</summary>
    private readonly struct BothParts(WeightGradientParts weights, int weightPanels, InputGradientParts input, int inputPanels) : IRangeBody
    {
        public void Run(int from, int to)
        {
            for (int item = from; item < to; item++)
                if (item == 0) weights.Run(0, weightPanels);
                else input.Run(0, inputPanels);
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

    /// <summary>Channel-major [channels][count] into rows [count][channels] (the buffer grown to take a tile more).</summary>
    private static void ToRows(ReadOnlySpan<float> channelMajor, int channels, int count, ref float[] rows)
    {
        Grow(ref rows, (count + DirectConvolution.Rows) * channels);
        Transpose(channelMajor, channels, count, Aligned(rows));
    }

    /// <summary>destination[j][i] = source[i][j] for i &lt; a, j &lt; b; the pool's threads take runs of 8 source rows
    /// (disjoint columns of the destination).</summary>
    private static void Transpose(ReadOnlySpan<float> source, int a, int b, Span<float> destination)
    {
        if ((long)a * b > source.Length || (long)a * b > destination.Length)
            throw new ArgumentException($"Transpose of {a}×{b} needs {(long)a * b} values.");
        fixed (float* s = source, d = destination)
        {
            var parts = new TransposeParts(s, d, a, b);
            WorkerPool.For((a + 7) / 8, 1, (long)a * b, in parts);
        }
    }

    private readonly struct TransposeParts(float* source, float* destination, int a, int b) : IRangeBody
    {
        public void Run(int from, int to)
        {
            int first = from * 8, rows = Math.Min(a, to * 8) - first;
            GemmPacking.TransposePack(destination + first, a, rows, source + (nint)first * b, b, rows, b);
        }
    }

    /// <summary>Buffers are pinned and used from their first 64-byte boundary, so rows of 16·k floats start on cache
    /// lines: the input gradient's channel panels, written by different threads, never share one.</summary>
    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length + 16) buffer = GC.AllocateArray<float>(length + 16, pinned: true);
    }

    private static Span<float> Aligned(float[] buffer)
    {
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        int skip = (int)((64 - (address & 63)) & 63) / sizeof(float);
        return buffer.AsSpan(Math.Min(skip, buffer.Length)); // an unused (empty) buffer gives an empty span
    }

    private readonly struct ForwardParts(float* x, float* w, int* rows, float* y, int positions, int inChannels, int outChannels, int taps) : IRangeBody
    {
        public void Run(int from, int to) => DirectConvolution.Forward(x, w, rows, y, positions, inChannels, outChannels, taps, from, to);
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
