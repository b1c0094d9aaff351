using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reptile.Kernels;

/// <summary>
/// A convolution's three products computed straight from position-major activations ([N·H·W][C]: a pixel's channels
/// contiguous), without im2col, col2im or packing. A lowered row of the im2col formulation is then nine contiguous
/// runs of C floats, one per kernel tap, so each tile reads its pixels through a table of row offsets: the forward
/// and the weight gradient broadcast input values and load weight or output-gradient rows, the input gradient adds
/// each tile's rows into the pixels a tap reaches. Every tile is 8 × 32 in 16 zmm accumulators, 16 FMAs per depth
/// step, as the GEMM micro-kernel, and like it written out in full (the same tiles folded onto one accumulator
/// struct ran 1.11× slower: its 16 vectors no longer all stayed in registers). The depth order of each product is
/// fixed here (taps, then channels; or positions ascending in the driver's depth blocks), so parts cut by tiles, row
/// panels or channel panels compute the same bits as the whole.
/// </summary>
internal static unsafe class DirectConvolution
{
    /// <summary>Pixels (forward, input gradient) or rows (weight gradient) per tile.</summary>
    public const int Rows = 8;

    /// <summary>Rows per weight-gradient tile when each row has its own (tap, channel): nine, so a 3×3 kernel over
    /// the images' 1 or 3 channels (9 or 27 rows) fills every tile.</summary>
    public const int GatheredRows = 9;

    /// <summary>Panels of the weight gradient, its parts: 8 channels of one tap by all output channels; or, when the
    /// channels do not come in eights, <see cref="GatheredRows"/> rows of their own (tap, channel) by one
    /// <see cref="Panel"/> of output channels (a 3×3 kernel over one channel is one row panel, so the output panels
    /// give two threads something to share).</summary>
    public static int WeightPanels(int inChannels, int outChannels, int taps) => inChannels % Rows == 0
        ? taps * inChannels / Rows
        : (taps * inChannels + GatheredRows - 1) / GatheredRows * (outChannels / Panel);

    /// <summary>Channels per tile: output channels (forward, weight gradient) or input channels (input gradient).</summary>
    public const int Panel = 32;

    /// <summary>Positions ahead whose input row the weight gradient prefetches.</summary>
    private const int Ahead = 24;

    /// <summary>Whether this thread's path takes the direct route: 512-bit, and output channels in whole panels.</summary>
    public static bool Applies(int outChannels) =>
        Simd.Current == SimdPath.Vector512 && Avx512F.IsSupported && outChannels % Panel == 0;

    /// <summary>Whether the input gradient can take whole 32-channel panels (else the lowering).</summary>
    public static bool InputGradientApplies(int inChannels) => inChannels % Panel == 0;

    /// <summary>
    /// The row table of a geometry: entry p·(kh·kw) + tap is the input pixel (n·H + ih)·W + iw that output position p
    /// reads at that tap, or N·H·W (a row of zeros, or of discarded sums) in the padding; rows up to
    /// <see cref="Rows"/> past the last position, which ragged tiles read, point there too.
    /// </summary>
    public static int[] RowTable(ConvolutionPlan plan)
    {
        int taps = plan.KernelH * plan.KernelW, padRow = plan.Plane;
        var table = new int[(plan.Columns + Rows) * taps];
        for (int p = 0; p < plan.Columns + Rows; p++)
        for (int t = 0; t < taps; t++)
        {
            int row = padRow;
            if (p < plan.Columns)
            {
                int ow = p % plan.OutW, oh = p / plan.OutW % plan.OutH, n = p / (plan.OutW * plan.OutH);
                int ih = oh * plan.Stride - plan.Padding + t / plan.KernelW, iw = ow * plan.Stride - plan.Padding + t % plan.KernelW;
                if ((uint)ih < (uint)plan.Height && (uint)iw < (uint)plan.Width) row = (n * plan.Height + ih) * plan.Width + iw;
            }
            table[p * taps + t] = row;
        }
        return table;
    }

    /// <summary>Whether the forward reads lowered rows (<see cref="LowerRows"/>) rather than the input's own: with fewer
    /// than 8 input channels (the images' 1 or 3) each tap is a depth of 1 or 3, and a tile spent more on finding its
    /// eight rows per tap than on its FMAs (the 28-pixel layer ran at about 100 GFLOP/s).</summary>
    public static bool LowersForward(int inChannels) => inChannels < Rows;

    /// <summary>
    /// Positions [p0, p1) as rows of taps × channels (tap-major, the forward's depth order): row p holds
    /// x[row(p, tap)][c] at tap·C + c. The forward over them is a 1×1 convolution of depth taps·C whose weights, by
    /// input, are the same memory as the kernel's [tap][in][out] and whose sums run in the same order, so it gives
    /// the same bits.
    /// </summary>
    public static void LowerRows(float* x, int* rows, int inChannels, int taps, float* lowered, int p0, int p1)
    {
        int depth = inChannels * taps;
        if (inChannels == 1)
        {
            // A gray image: one value per tap, the row table read straight through.
            for (nint k = (nint)p0 * taps, end = (nint)p1 * taps; k < end; k++) lowered[k] = x[rows[k]];
            return;
        }
        for (int p = p0; p < p1; p++)
        {
            float* target = lowered + (nint)p * depth;
            int* row = rows + (nint)p * taps;
            for (int t = 0; t < taps; t++, target += inChannels)
            {
                float* source = x + (nint)row[t] * inChannels;
                for (int c = 0; c < inChannels; c++) target[c] = source[c];
            }
        }
    }

    /// <summary>PyTorch's weight [out][in][tap] as [tap][out][in] (the input gradient's B rows), rows [from, to) of the
    /// weight seen as [out·in][tap]: register transposes of 8 rows by all taps. Parts cut by rows write disjoint
    /// columns.</summary>
    public static void WeightsByOutput(float* weight, int outChannels, int inChannels, int taps, float* byOutput, int from, int to)
    {
        int block = outChannels * inChannels;
        GemmPacking.TransposePack(byOutput + from, block, to - from, weight + (nint)from * taps, taps, to - from, taps);
    }

    /// <summary>The forward's [tap][in][out] from <see cref="WeightsByOutput"/>'s [tap][out][in], taps [from, to): one
    /// register transpose per tap.</summary>
    public static void WeightsByInput(float* byOutput, int outChannels, int inChannels, float* byInput, int from, int to)
    {
        int block = outChannels * inChannels;
        for (int t = from; t < to; t++)
            GemmPacking.TransposePack(byInput + (nint)t * block, outChannels, outChannels, byOutput + (nint)t * block, inChannels,
                outChannels, inChannels);
    }

    /// <summary>The direct weight gradient [tap][in][out] as PyTorch's [out][in][tap] in <paramref name="arranged"/>, input
    /// channels [from, to): one register transpose per channel, its taps × output channels block to output channels ×
    /// taps. Parts cut by channels write disjoint values.</summary>
    public static void ArrangeWeightGradient(float* byInput, int outChannels, int inChannels, int taps, float* arranged, int from, int to)
    {
        int whole = taps / 8 * 8; // taps in groups of 8 by register transposes, the rest (the ninth) by a plain loop
        nint ld = (nint)inChannels * outChannels;
        for (int c = from; c < to; c++)
        {
            float* source = byInput + (nint)c * outChannels, target = arranged + (nint)c * taps;
            if (whole > 0) GemmPacking.TransposePack(target, inChannels * taps, whole, source, ld, whole, outChannels);
            for (int t = whole; t < taps; t++)
                for (int o = 0; o < outChannels; o++)
                    target[(nint)o * inChannels * taps + t] = source[t * ld + o];
        }
    }

    /// <summary>
    /// Output tiles [from, to) (8 positions each) of y[p][o] = bias[o] + Σ_tap Σ_c x[row(p, tap)][c] · w[tap][c][o], y
    /// position-major ([positions][out]); x has a zero row at index N·H·W. Depth order: taps ascending, channels
    /// ascending; the bias is added to the finished sum, as a separate pass would add it.
    /// </summary>
    public static void Forward(float* x, float* weightByInput, float* bias, int* rows, float* y, int positions, int inChannels,
        int outChannels, int taps, int from, int to)
    {
        float* tile = stackalloc float[Rows * Panel];
        for (int t = from; t < to; t++)
        {
            int p0 = t * Rows, count = Math.Min(Rows, positions - p0);
            for (int panel = 0; panel < outChannels; panel += Panel)
            {
                float* at = y + (nint)p0 * outChannels + panel;
                if (count == Rows)
                {
                    ForwardTile(x, weightByInput + panel, bias + panel, rows + p0 * taps, at, outChannels, inChannels, outChannels, taps);
                    continue;
                }
                ForwardTile(x, weightByInput + panel, bias + panel, rows + p0 * taps, tile, Panel, inChannels, outChannels, taps);
                for (int r = 0; r < count; r++)
                    new ReadOnlySpan<float>(tile + r * Panel, Panel).CopyTo(new Span<float>(at + (nint)r * outChannels, Panel));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTile(float* x, float* w, float* bias, int* rows, float* y, nint ld, int inChannels, int outChannels, int taps)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int t = 0; t < taps; t++)
        {
            float* r0 = x + (nint)rows[t] * inChannels, r1 = x + (nint)rows[taps + t] * inChannels;
            float* r2 = x + (nint)rows[2 * taps + t] * inChannels, r3 = x + (nint)rows[3 * taps + t] * inChannels;
            float* r4 = x + (nint)rows[4 * taps + t] * inChannels, r5 = x + (nint)rows[5 * taps + t] * inChannels;
            float* r6 = x + (nint)rows[6 * taps + t] * inChannels, r7 = x + (nint)rows[7 * taps + t] * inChannels;
            float* wt = w + (nint)t * inChannels * outChannels;
            for (int c = 0; c < inChannels; c++, wt += outChannels)
            {
                var b0 = Vector512.Load(wt);
                var b1 = Vector512.Load(wt + 16);
                var a = Vector512.Create(r0[c]); c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
                a = Vector512.Create(r1[c]); c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
                a = Vector512.Create(r2[c]); c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
                a = Vector512.Create(r3[c]); c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
                a = Vector512.Create(r4[c]); c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
                a = Vector512.Create(r5[c]); c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
                a = Vector512.Create(r6[c]); c60 = Vector512.FusedMultiplyAdd(a, b0, c60); c61 = Vector512.FusedMultiplyAdd(a, b1, c61);
                a = Vector512.Create(r7[c]); c70 = Vector512.FusedMultiplyAdd(a, b0, c70); c71 = Vector512.FusedMultiplyAdd(a, b1, c71);
            }
        }
        Vector512<float> bias0 = Vector512.Load(bias), bias1 = Vector512.Load(bias + 16);
        (c00 + bias0).Store(y); (c01 + bias1).Store(y + 16);
        (c10 + bias0).Store(y + ld); (c11 + bias1).Store(y + ld + 16);
        (c20 + bias0).Store(y + 2 * ld); (c21 + bias1).Store(y + 2 * ld + 16);
        (c30 + bias0).Store(y + 3 * ld); (c31 + bias1).Store(y + 3 * ld + 16);
        (c40 + bias0).Store(y + 4 * ld); (c41 + bias1).Store(y + 4 * ld + 16);
        (c50 + bias0).Store(y + 5 * ld); (c51 + bias1).Store(y + 5 * ld + 16);
        (c60 + bias0).Store(y + 6 * ld); (c61 + bias1).Store(y + 6 * ld + 16);
        (c70 + bias0).Store(y + 7 * ld); (c71 + bias1).Store(y + 7 * ld + 16);
    }

    /// <summary>
    /// Panels [from, to) of g[tap][c][o] = Σ_p x[row(p, tap)][c] · dy[p][o]: rows k = tap·C + c; positions ascending;
    /// written, not added. With C a multiple of 8 a panel is 8 channels of one tap (one row pointer per position) by
    /// all output channels; otherwise (the images' 1 or 3 channels) a panel is <see cref="GatheredRows"/> rows, each
    /// with its own tap and channel, by 32 output channels, summed in a tile of its own (see <see cref="WeightPanels"/>).
    /// </summary>
    public static void WeightGradient(float* x, float* dy, int* rows, float* gradient, int positions, int inChannels,
        int outChannels, int taps, int from, int to)
    {
        int depthRows = taps * inChannels;
        bool whole = inChannels % Rows == 0;
        int* tap = stackalloc int[GatheredRows];
        int* channel = stackalloc int[GatheredRows];
        float* tile = stackalloc float[GatheredRows * Panel];
        int blocks = (positions + ComputeSettings.Current.DepthBlock - 1) / ComputeSettings.Current.DepthBlock;
        int step = Math.Max(1, (positions + blocks - 1) / Math.Max(1, blocks));
        if (whole)
        {
            // Depth blocks outermost: a block's dY panel stays in L1 while every row panel reads it. Each value still
            // sums its blocks in order, positions ascending within them.
            for (int p0 = 0; p0 < positions; p0 += step)
            {
                int p1 = Math.Min(positions, p0 + step);
                for (int rp = from; rp < to; rp++)
                {
                    int k0 = rp * Rows, t = k0 / inChannels, c = k0 % inChannels;
                    for (int panel = 0; panel < outChannels; panel += Panel)
                        WeightGradientTile(x + c, dy + (nint)p0 * outChannels + panel, rows + p0 * taps + t,
                            gradient + (nint)k0 * outChannels + panel, p1 - p0, inChannels, outChannels, taps, p0 > 0);
                }
            }
            return;
        }
        int outPanels = outChannels / Panel;
        for (int item = from; item < to; item++)
        {
            int k0 = item / outPanels * GatheredRows, count = Math.Min(GatheredRows, depthRows - k0), panel = item % outPanels * Panel;
            for (int r = 0; r < GatheredRows; r++)
            {
                int k = k0 + Math.Min(r, count - 1); // rows past the end repeat the last one; they are not kept
                (tap[r], channel[r]) = (k / inChannels, k % inChannels);
            }
            // Positions in the driver's balanced depth blocks, each summed in registers and then added: long
            // chains (the first layer of an 84-pixel model sums 35 000 positions) would lose digits.
            for (int p0 = 0; p0 < positions; p0 += step)
            {
                int p1 = Math.Min(positions, p0 + step);
                WeightGradientRowsTile(x, dy + (nint)p0 * outChannels + panel, rows + p0 * taps, tap, channel, tile, p1 - p0, inChannels,
                    outChannels, taps, p0 > 0);
            }
            float* g = gradient + (nint)k0 * outChannels + panel;
            for (int r = 0; r < count; r++)
                new ReadOnlySpan<float>(tile + r * Panel, Panel).CopyTo(new Span<float>(g + (nint)r * outChannels, Panel));
        }
    }

    /// <summary>A weight-gradient tile whose 9 rows each read their own (tap, channel): tile [9][32], 18 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientRowsTile(float* x, float* dy, int* rows, int* tap, int* channel, float* tile,
        int positions, int inChannels, int outChannels, int taps, bool add)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        Vector512<float> c80 = default, c81 = default;
        float* x0 = x + channel[0], x1 = x + channel[1], x2 = x + channel[2], x3 = x + channel[3];
        float* x4 = x + channel[4], x5 = x + channel[5], x6 = x + channel[6], x7 = x + channel[7], x8 = x + channel[8];
        int t0 = tap[0], t1 = tap[1], t2 = tap[2], t3 = tap[3], t4 = tap[4], t5 = tap[5], t6 = tap[6], t7 = tap[7], t8 = tap[8];
        nint c = inChannels;
        for (int p = 0; p < positions; p++, dy += outChannels, rows += taps)
        {
            var b0 = Vector512.Load(dy);
            var b1 = Vector512.Load(dy + 16);
            var a = Vector512.Create(x0[rows[t0] * c]); c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(x1[rows[t1] * c]); c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(x2[rows[t2] * c]); c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(x3[rows[t3] * c]); c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(x4[rows[t4] * c]); c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(x5[rows[t5] * c]); c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(x6[rows[t6] * c]); c60 = Vector512.FusedMultiplyAdd(a, b0, c60); c61 = Vector512.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(x7[rows[t7] * c]); c70 = Vector512.FusedMultiplyAdd(a, b0, c70); c71 = Vector512.FusedMultiplyAdd(a, b1, c71);
            a = Vector512.Create(x8[rows[t8] * c]); c80 = Vector512.FusedMultiplyAdd(a, b0, c80); c81 = Vector512.FusedMultiplyAdd(a, b1, c81);
        }
        nint ld = Panel;
        Put(tile, c00, c01, add);
        Put(tile + ld, c10, c11, add);
        Put(tile + 2 * ld, c20, c21, add);
        Put(tile + 3 * ld, c30, c31, add);
        Put(tile + 4 * ld, c40, c41, add);
        Put(tile + 5 * ld, c50, c51, add);
        Put(tile + 6 * ld, c60, c61, add);
        Put(tile + 7 * ld, c70, c71, add);
        Put(tile + 8 * ld, c80, c81, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientTile(float* x, float* dy, int* rows, float* g, int positions, int inChannels,
        int outChannels, int taps, bool add)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < positions; p++, dy += outChannels)
        {
            float* a8 = x + (nint)rows[p * taps] * inChannels;
            if (p + Ahead < positions) Sse.Prefetch0(x + (nint)rows[(p + Ahead) * taps] * inChannels);
            var b0 = Vector512.Load(dy);
            var b1 = Vector512.Load(dy + 16);
            var a = Vector512.Create(a8[0]); c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(a8[1]); c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(a8[2]); c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(a8[3]); c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(a8[4]); c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(a8[5]); c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(a8[6]); c60 = Vector512.FusedMultiplyAdd(a, b0, c60); c61 = Vector512.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(a8[7]); c70 = Vector512.FusedMultiplyAdd(a, b0, c70); c71 = Vector512.FusedMultiplyAdd(a, b1, c71);
        }
        nint ld = outChannels;
        Put(g, c00, c01, add);
        Put(g + ld, c10, c11, add);
        Put(g + 2 * ld, c20, c21, add);
        Put(g + 3 * ld, c30, c31, add);
        Put(g + 4 * ld, c40, c41, add);
        Put(g + 5 * ld, c50, c51, add);
        Put(g + 6 * ld, c60, c61, add);
        Put(g + 7 * ld, c70, c71, add);
    }

    /// <summary>Stores a tile row of 32, or adds it to what is there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* at, Vector512<float> low, Vector512<float> high, bool add)
    {
        if (add) Add(at, low, high);
        else { low.Store(at); high.Store(at + 16); }
    }

    /// <summary>
    /// Input-channel panels [from, to) (32 channels each) of dx[row(p, tap)][c] += Σ_o dy[p][o] · w[tap][o][c], taps
    /// ascending (each pixel takes one term per tap that reaches it), output channels ascending within a term. dx has
    /// a row at index N·H·W that takes the padding's sums (discarded); dy has room for whole tiles (values ignored).
    /// </summary>
    public static void InputGradient(float* dy, float* weightByOutput, int* rows, float* dx, int positions, int inChannels,
        int outChannels, int taps, int from, int to)
    {
        int tiles = (positions + Rows - 1) / Rows;
        for (int t = 0; t < taps; t++)
        for (int panel = from; panel < to; panel++)
        for (int tile = 0; tile < tiles; tile++)
            InputGradientTile(dy + (nint)tile * Rows * outChannels, weightByOutput + (nint)t * outChannels * inChannels + panel * Panel,
                rows + tile * Rows * taps + t, dx + panel * Panel, inChannels, outChannels, taps);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientTile(float* dy, float* w, int* rows, float* dx, int inChannels, int outChannels, int taps)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        nint ld = outChannels;
        for (int o = 0; o < outChannels; o++, w += inChannels)
        {
            var b0 = Vector512.Load(w);
            var b1 = Vector512.Load(w + 16);
            var a = Vector512.Create(dy[o]); c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(dy[ld + o]); c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(dy[2 * ld + o]); c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(dy[3 * ld + o]); c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(dy[4 * ld + o]); c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(dy[5 * ld + o]); c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(dy[6 * ld + o]); c60 = Vector512.FusedMultiplyAdd(a, b0, c60); c61 = Vector512.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(dy[7 * ld + o]); c70 = Vector512.FusedMultiplyAdd(a, b0, c70); c71 = Vector512.FusedMultiplyAdd(a, b1, c71);
        }
        Add(dx + (nint)rows[0] * inChannels, c00, c01);
        Add(dx + (nint)rows[taps] * inChannels, c10, c11);
        Add(dx + (nint)rows[2 * taps] * inChannels, c20, c21);
        Add(dx + (nint)rows[3 * taps] * inChannels, c30, c31);
        Add(dx + (nint)rows[4 * taps] * inChannels, c40, c41);
        Add(dx + (nint)rows[5 * taps] * inChannels, c50, c51);
        Add(dx + (nint)rows[6 * taps] * inChannels, c60, c61);
        Add(dx + (nint)rows[7 * taps] * inChannels, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* at, Vector512<float> low, Vector512<float> high)
    {
        Vector512.Store(Vector512.Load(at) + low, at);
        Vector512.Store(Vector512.Load(at + 16) + high, at + 16);
    }
}
