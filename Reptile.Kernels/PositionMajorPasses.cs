using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Reptile.Kernels;

/// <summary>
/// Per-channel passes over position-major rows ([rows][channels]: a pixel's channels contiguous): a vector's lanes
/// are channels, so every channel is summed and normalised by exactly the same sequence of scalar operations on every
/// SIMD path (and on the scalar one), and parts cut by channel ranges compute the bits the whole would. Sums run over
/// blocks of <see cref="BlockRows"/> rows in four interleaved accumulators, and the blocks' sums are added in order:
/// a chain of 35 000 positions (the first layer of an 84-pixel model) would lose digits.
/// </summary>
internal static unsafe class PositionMajorPasses
{
    /// <summary>Rows summed in registers before their sum is added to the total.</summary>
    public const int BlockRows = 256;

    /// <summary>total[c] += Σ_r x[r·stride + c] for channels [c0, c1).</summary>
    public static void Sum(float* x, int rows, int stride, int c0, int c1, float* total)
    {
        for (int c = c0; c < c1;)
            c += Simd.Current switch
            {
                SimdPath.Vector512 when c1 - c >= 32 => SumLanes<Lanes512x2>(x + c, rows, stride, total + c),
                SimdPath.Vector512 when c1 - c >= 16 => SumLanes<Lanes512>(x + c, rows, stride, total + c),
                >= SimdPath.Vector256 when c1 - c >= 8 => SumLanes<Lanes256>(x + c, rows, stride, total + c),
                >= SimdPath.Vector128 when c1 - c >= 4 => SumLanes<Lanes128>(x + c, rows, stride, total + c),
                _ => SumLanes<Lane>(x + c, rows, stride, total + c),
            };
    }

    /// <summary>
    /// Batch norm's training forward for channels [c0, c1) of <paramref name="rows"/> rows of <paramref name="channels"/>:
    /// the corrected two-pass mean and biased variance (as <see cref="BatchNorm.Forward"/>), invStd = 1/√(var+ε), then
    /// y = γ·(x−mean)·invStd + β, or its relu.
    /// </summary>
    public static void BatchNormForward(float* x, int rows, int channels, int c0, int c1, float* gamma, float* beta, float epsilon,
        float* y, float* mean, float* invStd, bool relu)
    {
        var p = new NormParams(x, y, null, null, mean, invStd, gamma, beta, rows, channels, epsilon, relu);
        for (int c = c0; c < c1;)
            c += Simd.Current switch
            {
                SimdPath.Vector512 when c1 - c >= 32 => ForwardLanes<Lanes512x2>(p, c),
                SimdPath.Vector512 when c1 - c >= 16 => ForwardLanes<Lanes512>(p, c),
                >= SimdPath.Vector256 when c1 - c >= 8 => ForwardLanes<Lanes256>(p, c),
                >= SimdPath.Vector128 when c1 - c >= 4 => ForwardLanes<Lanes128>(p, c),
                _ => ForwardLanes<Lane>(p, c),
            };
    }

    /// <summary>
    /// Batch norm's backward for channels [c0, c1), as <see cref="BatchNorm.Backward"/>: with <paramref name="relu"/>
    /// the fused relu's mask (y &gt; 0) is first applied to dy in place; then dgamma += Σ dy·xhat, dbeta += Σ dy,
    /// dx += γ·invStd/P·(P·dy − Σdy − xhat·Σ(dy·xhat)) with xhat recomputed as the forward computed it.
    /// </summary>
    public static void BatchNormBackward(float* x, float* y, float* dy, int rows, int channels, int c0, int c1, float* mean,
        float* invStd, float* gamma, float* dx, float* dgamma, float* dbeta, bool relu)
    {
        var p = new NormParams(x, y, dy, dx, mean, invStd, gamma, null, rows, channels, 0, relu);
        for (int c = c0; c < c1;)
            c += Simd.Current switch
            {
                SimdPath.Vector512 when c1 - c >= 32 => BackwardLanes<Lanes512x2>(p, c, dgamma, dbeta),
                SimdPath.Vector512 when c1 - c >= 16 => BackwardLanes<Lanes512>(p, c, dgamma, dbeta),
                >= SimdPath.Vector256 when c1 - c >= 8 => BackwardLanes<Lanes256>(p, c, dgamma, dbeta),
                >= SimdPath.Vector128 when c1 - c >= 4 => BackwardLanes<Lanes128>(p, c, dgamma, dbeta),
                _ => BackwardLanes<Lane>(p, c, dgamma, dbeta),
            };
    }

    private readonly struct NormParams(float* x, float* y, float* dy, float* dx, float* mean, float* invStd, float* gamma,
        float* beta, int rows, int channels, float epsilon, bool relu)
    {
        public readonly float* X = x, Y = y, Dy = dy, Dx = dx, Mean = mean, InvStd = invStd, Gamma = gamma, Beta = beta;
        public readonly int Rows = rows, Channels = channels;
        public readonly float Epsilon = epsilon;
        public readonly bool Relu = relu;
    }

    private static int SumLanes<T>(float* x, int rows, int stride, float* total) where T : struct, ILanes<T>
    {
        var terms = new Values<T>(x);
        var (sum, _) = Sums<T, Values<T>>(ref terms, rows, stride);
        T.Store(T.Add(T.Load(total), sum), total);
        return T.Count;
    }

    private static int ForwardLanes<T>(in NormParams p, int c) where T : struct, ILanes<T>
    {
        int n = T.Count;
        float* s = stackalloc float[n];
        float* q = stackalloc float[n];
        if (p.Rows > 0)
        {
            var values = new Values<T>(p.X + c);
            T.Store(Sums<T, Values<T>>(ref values, p.Rows, p.Channels).Sum, s);
            for (int i = 0; i < n; i++) s[i] /= p.Rows; // the first estimate of the mean
            var deviations = new Deviations<T>(p.X + c, T.Load(s));
            var (sd, sd2) = Sums<T, Deviations<T>>(ref deviations, p.Rows, p.Channels);
            T.Store(sd, q);
            float* q2 = stackalloc float[n];
            T.Store(sd2, q2);
            for (int i = 0; i < n; i++)
            {
                // Corrected two-pass (Chan, Golub & LeVeque), finished in double as the channel-major kernel does.
                double variance = Math.Max(0, ((double)q2[i] - (double)q[i] * q[i] / p.Rows) / p.Rows);
                p.Mean[c + i] = (float)(s[i] + (double)q[i] / p.Rows);
                p.InvStd[c + i] = (float)(1.0 / Math.Sqrt(variance + p.Epsilon));
            }
        }
        else
            for (int i = 0; i < n; i++) (p.Mean[c + i], p.InvStd[c + i]) = (0f, (float)(1.0 / Math.Sqrt(p.Epsilon)));
        T mu = T.Load(p.Mean + c), inv = T.Load(p.InvStd + c), g = T.Load(p.Gamma + c), b = T.Load(p.Beta + c);
        for (nint r = 0, at = c; r < p.Rows; r++, at += p.Channels)
        {
            var v = T.Fma(T.Mul(T.Sub(T.Load(p.X + at), mu), inv), g, b);
            T.Store(p.Relu ? T.Relu(v) : v, p.Y + at);
        }
        return n;
    }

    private static int BackwardLanes<T>(in NormParams p, int c, float* dgamma, float* dbeta) where T : struct, ILanes<T>
    {
        if (p.Rows == 0) return T.Count;
        T mu = T.Load(p.Mean + c), inv = T.Load(p.InvStd + c);
        var terms = new GradientTerms<T>(p.X + c, p.Y + c, p.Dy + c, mu, inv, p.Relu);
        var (sumDy, sumDyX) = Sums<T, GradientTerms<T>>(ref terms, p.Rows, p.Channels);
        T.Store(T.Add(T.Load(dgamma + c), sumDyX), dgamma + c);
        T.Store(T.Add(T.Load(dbeta + c), sumDy), dbeta + c);
        // dx += a·dy + b·xhat + c0, the channel constants folded once (each lane as BatchNorm.Backward folds them).
        var a = T.Mul(T.Load(p.Gamma + c), inv);
        var rows = T.Splat(p.Rows);
        var k = T.Div(T.Mul(T.Neg(a), sumDyX), rows);
        var c0 = T.Div(T.Mul(T.Neg(a), sumDy), rows);
        for (nint r = 0, at = c; r < p.Rows; r++, at += p.Channels)
        {
            var xhat = T.Mul(T.Sub(T.Load(p.X + at), mu), inv);
            T.Store(T.Fma(a, T.Load(p.Dy + at), T.Fma(k, xhat, T.Add(T.Load(p.Dx + at), c0))), p.Dx + at);
        }
        return T.Count;
    }

    /// <summary>(Σ first, Σ second) of the terms of rows [0, rows), blocked and interleaved as the class says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (T Sum, T Second) Sums<T, TTerms>(ref TTerms terms, int rows, int stride)
        where T : struct, ILanes<T> where TTerms : struct, IRowTerms<T>
    {
        T total = T.Zero, second = T.Zero;
        for (int b0 = 0; b0 < rows; b0 += BlockRows)
        {
            int b1 = Math.Min(rows, b0 + BlockRows), r = b0;
            T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero, q0 = T.Zero, q1 = T.Zero, q2 = T.Zero, q3 = T.Zero;
            for (; r + 4 <= b1; r += 4)
            {
                terms.Add((nint)r * stride, ref s0, ref q0);
                terms.Add((nint)(r + 1) * stride, ref s1, ref q1);
                terms.Add((nint)(r + 2) * stride, ref s2, ref q2);
                terms.Add((nint)(r + 3) * stride, ref s3, ref q3);
            }
            for (; r < b1; r++) terms.Add((nint)r * stride, ref s0, ref q0);
            total = T.Add(total, T.Add(T.Add(s0, s1), T.Add(s2, s3)));
            second = T.Add(second, T.Add(T.Add(q0, q1), T.Add(q2, q3)));
        }
        return (total, second);
    }

    /// <summary>What one row adds to a pair of sums.</summary>
    private interface IRowTerms<T> where T : struct, ILanes<T>
    {
        void Add(nint at, ref T sum, ref T second);
    }

    /// <summary>x (the second sum unused).</summary>
    private readonly struct Values<T>(float* x) : IRowTerms<T> where T : struct, ILanes<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(nint at, ref T sum, ref T second) => sum = T.Add(sum, T.Load(x + at));
    }

    /// <summary>d = x − μ₀ and d².</summary>
    private readonly struct Deviations<T>(float* x, T mu) : IRowTerms<T> where T : struct, ILanes<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(nint at, ref T sum, ref T second)
        {
            var d = T.Sub(T.Load(x + at), mu);
            sum = T.Add(sum, d);
            second = T.Fma(d, d, second);
        }
    }

    /// <summary>dy (masked in place by the fused relu) and dy·xhat.</summary>
    private readonly struct GradientTerms<T>(float* x, float* y, float* dy, T mu, T inv, bool relu) : IRowTerms<T>
        where T : struct, ILanes<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(nint at, ref T sum, ref T second)
        {
            var g = T.Load(dy + at);
            if (relu)
            {
                g = T.ReluMask(T.Load(y + at), g);
                T.Store(g, dy + at);
            }
            sum = T.Add(sum, g);
            second = T.Add(second, T.Mul(g, T.Mul(T.Sub(T.Load(x + at), mu), inv)));
        }
    }
}

/// <summary>A bundle of float lanes computed in lockstep: a vector of each width, or one float. Each operation is the
/// same IEEE operation on every lane, so a kernel written once over <see cref="ILanes{T}"/> gives every width the
/// scalar bits.</summary>
internal unsafe interface ILanes<T> where T : struct, ILanes<T>
{
    static abstract int Count { get; }
    static abstract T Zero { get; }
    static abstract T Splat(float value);
    static abstract T Load(float* at);
    static abstract void Store(T value, float* at);
    static abstract T Add(T a, T b);
    static abstract T Sub(T a, T b);
    static abstract T Mul(T a, T b);
    static abstract T Div(T a, T b);
    static abstract T Neg(T a);
    /// <summary>a·b + c, rounded once.</summary>
    static abstract T Fma(T a, T b, T c);
    /// <summary>max(v, 0) as <see cref="ReluOperator"/> computes it.</summary>
    static abstract T Relu(T v);
    /// <summary>y &gt; 0 ? dy : 0, as <see cref="ReluMaskOperator"/>.</summary>
    static abstract T ReluMask(T y, T dy);
}

internal readonly unsafe struct Lanes512(Vector512<float> v) : ILanes<Lanes512>
{
    private readonly Vector512<float> v = v;
    public static int Count => 16;
    public static Lanes512 Zero => default;
    public static Lanes512 Splat(float value) => new(Vector512.Create(value));
    public static Lanes512 Load(float* at) => new(Vector512.Load(at));
    public static void Store(Lanes512 value, float* at) => value.v.Store(at);
    public static Lanes512 Add(Lanes512 a, Lanes512 b) => new(a.v + b.v);
    public static Lanes512 Sub(Lanes512 a, Lanes512 b) => new(a.v - b.v);
    public static Lanes512 Mul(Lanes512 a, Lanes512 b) => new(a.v * b.v);
    public static Lanes512 Div(Lanes512 a, Lanes512 b) => new(a.v / b.v);
    public static Lanes512 Neg(Lanes512 a) => new(-a.v);
    public static Lanes512 Fma(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a.v, b.v, c.v));
    public static Lanes512 Relu(Lanes512 x) => new(default(ReluOperator).Invoke(x.v));
    public static Lanes512 ReluMask(Lanes512 y, Lanes512 dy) => new(default(ReluMaskOperator).Invoke(y.v, dy.v));
}

/// <summary>Two zmm side by side, 32 channels: a row's two cache lines in one pass (the passes read rows of 64 channels
/// 64 bytes at a time otherwise), each lane still its own channel's scalar sequence. Written out rather than as a
/// generic pair of <see cref="Lanes512"/>: the pair of structs kept its vectors out of registers (the meta-iteration
/// 1.10–1.13× slower on one thread).</summary>
internal readonly unsafe struct Lanes512x2(Vector512<float> low, Vector512<float> high) : ILanes<Lanes512x2>
{
    private readonly Vector512<float> low = low, high = high;
    public static int Count => 32;
    public static Lanes512x2 Zero => default;
    public static Lanes512x2 Splat(float value) => new(Vector512.Create(value), Vector512.Create(value));
    public static Lanes512x2 Load(float* at) => new(Vector512.Load(at), Vector512.Load(at + 16));
    public static void Store(Lanes512x2 value, float* at) { value.low.Store(at); value.high.Store(at + 16); }
    public static Lanes512x2 Add(Lanes512x2 a, Lanes512x2 b) => new(a.low + b.low, a.high + b.high);
    public static Lanes512x2 Sub(Lanes512x2 a, Lanes512x2 b) => new(a.low - b.low, a.high - b.high);
    public static Lanes512x2 Mul(Lanes512x2 a, Lanes512x2 b) => new(a.low * b.low, a.high * b.high);
    public static Lanes512x2 Div(Lanes512x2 a, Lanes512x2 b) => new(a.low / b.low, a.high / b.high);
    public static Lanes512x2 Neg(Lanes512x2 a) => new(-a.low, -a.high);
    public static Lanes512x2 Fma(Lanes512x2 a, Lanes512x2 b, Lanes512x2 c) =>
        new(Vector512.FusedMultiplyAdd(a.low, b.low, c.low), Vector512.FusedMultiplyAdd(a.high, b.high, c.high));
    public static Lanes512x2 Relu(Lanes512x2 x) => new(default(ReluOperator).Invoke(x.low), default(ReluOperator).Invoke(x.high));
    public static Lanes512x2 ReluMask(Lanes512x2 y, Lanes512x2 dy) =>
        new(default(ReluMaskOperator).Invoke(y.low, dy.low), default(ReluMaskOperator).Invoke(y.high, dy.high));
}

internal readonly unsafe struct Lanes256(Vector256<float> v) : ILanes<Lanes256>
{
    private readonly Vector256<float> v = v;
    public static int Count => 8;
    public static Lanes256 Zero => default;
    public static Lanes256 Splat(float value) => new(Vector256.Create(value));
    public static Lanes256 Load(float* at) => new(Vector256.Load(at));
    public static void Store(Lanes256 value, float* at) => value.v.Store(at);
    public static Lanes256 Add(Lanes256 a, Lanes256 b) => new(a.v + b.v);
    public static Lanes256 Sub(Lanes256 a, Lanes256 b) => new(a.v - b.v);
    public static Lanes256 Mul(Lanes256 a, Lanes256 b) => new(a.v * b.v);
    public static Lanes256 Div(Lanes256 a, Lanes256 b) => new(a.v / b.v);
    public static Lanes256 Neg(Lanes256 a) => new(-a.v);
    public static Lanes256 Fma(Lanes256 a, Lanes256 b, Lanes256 c) => new(Vector256.FusedMultiplyAdd(a.v, b.v, c.v));
    public static Lanes256 Relu(Lanes256 x) => new(default(ReluOperator).Invoke(x.v));
    public static Lanes256 ReluMask(Lanes256 y, Lanes256 dy) => new(default(ReluMaskOperator).Invoke(y.v, dy.v));
}

internal readonly unsafe struct Lanes128(Vector128<float> v) : ILanes<Lanes128>
{
    private readonly Vector128<float> v = v;
    public static int Count => 4;
    public static Lanes128 Zero => default;
    public static Lanes128 Splat(float value) => new(Vector128.Create(value));
    public static Lanes128 Load(float* at) => new(Vector128.Load(at));
    public static void Store(Lanes128 value, float* at) => value.v.Store(at);
    public static Lanes128 Add(Lanes128 a, Lanes128 b) => new(a.v + b.v);
    public static Lanes128 Sub(Lanes128 a, Lanes128 b) => new(a.v - b.v);
    public static Lanes128 Mul(Lanes128 a, Lanes128 b) => new(a.v * b.v);
    public static Lanes128 Div(Lanes128 a, Lanes128 b) => new(a.v / b.v);
    public static Lanes128 Neg(Lanes128 a) => new(-a.v);
    public static Lanes128 Fma(Lanes128 a, Lanes128 b, Lanes128 c) => new(Vector128.FusedMultiplyAdd(a.v, b.v, c.v));
    public static Lanes128 Relu(Lanes128 x) => new(default(ReluOperator).Invoke(x.v));
    public static Lanes128 ReluMask(Lanes128 y, Lanes128 dy) => new(default(ReluMaskOperator).Invoke(y.v, dy.v));
}

/// <summary>One lane: the scalar reference of every <see cref="ILanes{T}"/> kernel.</summary>
internal readonly unsafe struct Lane(float v) : ILanes<Lane>
{
    private readonly float v = v;
    public static int Count => 1;
    public static Lane Zero => default;
    public static Lane Splat(float value) => new(value);
    public static Lane Load(float* at) => new(*at);
    public static void Store(Lane value, float* at) => *at = value.v;
    public static Lane Add(Lane a, Lane b) => new(a.v + b.v);
    public static Lane Sub(Lane a, Lane b) => new(a.v - b.v);
    public static Lane Mul(Lane a, Lane b) => new(a.v * b.v);
    public static Lane Div(Lane a, Lane b) => new(a.v / b.v);
    public static Lane Neg(Lane a) => new(-a.v);
    public static Lane Fma(Lane a, Lane b, Lane c) => new(MathF.FusedMultiplyAdd(a.v, b.v, c.v));
    public static Lane Relu(Lane x) => new(default(ReluOperator).Invoke(x.v));
    public static Lane ReluMask(Lane y, Lane dy) => new(default(ReluMaskOperator).Invoke(y.v, dy.v));
}
