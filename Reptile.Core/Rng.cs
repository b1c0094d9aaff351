namespace Reptile;

/// <summary>
/// A small, fast, seedable random generator (xoshiro256**). Training derives one stream per
/// (seed, iteration, task), so a resumed run needs only the iteration to continue the exact same draws.
/// Not thread-safe: each worker owns its own instance.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;

    /// <summary>
    /// A generator seeded by <paramref name="seed"/> (any value, 0 included); the same seed always gives the same
    /// stream.
    /// </summary>
    public Rng(ulong seed)
    {
        // SplitMix64 spreads any seed (0 included) over the 256-bit state.
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    /// <summary>A generator determined only by a seed and a path of indices (iteration, task, ...):
    /// the same inputs give the same stream whatever thread asks for it.</summary>
    public static Rng Derive(ulong seed, params ReadOnlySpan<ulong> path)
    {
        var rng = new Rng(0);
        rng.Reseed(seed, path);
        return rng;
    }

    /// <summary>Puts this generator in the state <see cref="Derive"/> would create, without allocating.</summary>
    public void Reseed(ulong seed, params ReadOnlySpan<ulong> path)
    {
        ulong x = seed;
        ulong h = SplitMix(ref x);
        foreach (var p in path)
        {
            x = h ^ (p * 0x9E3779B97F4A7C15UL);
            h = SplitMix(ref x);
        }
        x = h;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, maxExclusive), unbiased (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        ulong range = (ulong)maxExclusive;
        while (true)
        {
            UInt128 product = (UInt128)NextUInt64() * range;
            ulong low = (ulong)product;
            if (low >= range || low >= (0UL - range) % range)
                return (int)(product >> 64);
        }
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform double in [low, high).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
