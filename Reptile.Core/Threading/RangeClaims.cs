namespace Reptile.Threading;

/// <summary>
/// How a <see cref="WorkerPool"/> For's threads share its range: each part owns a contiguous stretch (the static cut)
/// and takes it from the front in chunks; a part that runs out takes chunks from the back of another's stretch. On
/// equal cores every part ends up with its own stretch (what the static cut gave, caches included); when one thread
/// starts late or runs slower (a core shared with busy neighbours), the other takes over the rest instead of waiting.
/// Every cut falls on a multiple of the grain (or the range's end), and a body computes the same bits for any cut.
/// One per calling thread, reused by every call: no allocation per For.
/// </summary>
internal sealed class RangeClaims
{
    // One stretch per part, (front << 32) | back, then its chunk; 16 longs (two cache lines) apart so parts do not
    // share a line.
    private const int Stride = 16;
    private long[] stretches = new long[Stride];
    private int parts, grain;

    [ThreadStatic] private static RangeClaims? ofThisThread;

    /// <summary>This thread's claims, now cutting [0, <paramref name="count"/>) into <paramref name="parts"/> stretches:
    /// part p from p·count/parts rounded down to the grain, or, for two parts, at <paramref name="split"/> when it is
    /// given (≥ 0).</summary>
    public static RangeClaims For(int count, int parts, int grain, int split = -1)
    {
        var claims = ofThisThread ??= new RangeClaims();
        claims.Reset(count, parts, grain, split);
        return claims;
    }

    private int Cut(int part, int count, int split) =>
        part == parts ? count
        : split >= 0 ? split
        : (int)((long)part * count / parts / grain * grain);

    private void Reset(int count, int parts, int grain, int split)
    {
        if (stretches.Length < parts * Stride) stretches = new long[parts * Stride];
        (this.parts, this.grain) = (parts, grain);
        for (int p = 0; p < parts; p++)
        {
            int front = p == 0 ? 0 : Cut(p, count, split), back = Cut(p + 1, count, split);
            stretches[p * Stride] = Pack(front, back);
            // About eight chunks per stretch: a late thread's share moves in steps of an eighth of it.
            stretches[p * Stride + 1] = Math.Max(grain, (Math.Max(1, (back - front) / 8) + grain - 1) / grain * grain);
        }
    }

    /// <summary>The next indices [from, to) for <paramref name="part"/>: from its own stretch's front, else from the
    /// back of another's; false when none are left.</summary>
    public bool Next(int part, out int from, out int to)
    {
        if (Take(part, fromFront: true, out from, out to)) return true;
        for (int i = 1; i < parts; i++)
            if (Take((part + i) % parts, fromFront: false, out from, out to)) return true;
        return false;
    }

    /// <summary>Leaves nothing more to take (a part failed: the others finish their pieces and stop).</summary>
    public void Abandon()
    {
        for (int p = 0; p < parts; p++)
        {
            ref long stretch = ref stretches[p * Stride];
            while (true)
            {
                long seen = Volatile.Read(ref stretch);
                int back = Unpack(seen).Back;
                if (Interlocked.CompareExchange(ref stretch, Pack(back, back), seen) == seen) break;
            }
        }
    }

    /// <summary>A chunk of <paramref name="part"/>'s stretch: from its front (its owner) or its back (another part).</summary>
    private bool Take(int part, bool fromFront, out int from, out int to)
    {
        ref long stretch = ref stretches[part * Stride];
        int chunk = (int)stretches[part * Stride + 1];
        while (true)
        {
            long seen = Volatile.Read(ref stretch);
            var (front, back) = Unpack(seen);
            if (front >= back) break;
            (from, to) = fromFront ? (front, Math.Min(back, front + chunk)) : (Math.Max(front, (back - chunk) / grain * grain), back);
            long left = fromFront ? Pack(to, back) : Pack(front, from);
            if (Interlocked.CompareExchange(ref stretch, left, seen) == seen) return true;
        }
        (from, to) = (0, 0);
        return false;
    }

    private static long Pack(int front, int back) => ((long)front << 32) | (uint)back;

    private static (int Front, int Back) Unpack(long stretch) => ((int)(stretch >> 32), (int)stretch);
}
