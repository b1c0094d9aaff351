namespace Reptile.Meta;

/// <summary>
/// supervised-reptile's _mini_batches over a pool of sample indices. Without replacement the pool is
/// reshuffled each time it runs out, and a batch may span two shuffles; with replacement every batch is an
/// independent random subset of the pool.
/// </summary>
internal sealed class MiniBatcher
{
    private int[] order = [];
    private int count, position;

    public bool Replacement { get; }

    public MiniBatcher(bool replacement) => Replacement = replacement;

    public void Reset(ReadOnlySpan<int> pool)
    {
        if (pool.IsEmpty) throw new ArgumentException("Cannot draw mini-batches from an empty pool.", nameof(pool));
        if (order.Length < pool.Length) order = new int[pool.Length];
        pool.CopyTo(order);
        count = pool.Length;
        position = count;
    }

    public void Next(Span<int> batch, Rng rng)
    {
        if (Replacement)
        {
            if (batch.Length > count)
                throw new ArgumentException($"A batch of {batch.Length} distinct samples cannot be drawn from {count} (a smaller batch size, or batches drawn without replacement).");
            var pool = order.AsSpan(0, count);
            for (int i = 0; i < batch.Length; i++)
            {
                int j = i + rng.NextInt(count - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
                batch[i] = pool[i];
            }
            return;
        }
        for (int i = 0; i < batch.Length; i++)
        {
            if (position == count)
            {
                rng.Shuffle(order.AsSpan(0, count));
                position = 0;
            }
            batch[i] = order[position++];
        }
    }
}
