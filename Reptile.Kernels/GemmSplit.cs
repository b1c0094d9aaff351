namespace Reptile.Kernels;

/// <summary>
/// A product's result C cut into <see cref="Parts"/> blocks, whole rows or whole columns each (from
/// <see cref="Gemm.Split"/>); part p is <see cref="Block"/>(p), computed with <see cref="Gemm.Multiply(ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, int, int, int, bool, GemmBlock)"/>.
/// </summary>
public readonly struct GemmSplit
{
    private readonly int m, n;

    internal GemmSplit(bool byColumns, int parts, int m, int n) => (ByColumns, Parts, this.m, this.n) = (byColumns, parts, m, n);

    /// <summary>Cut between columns (else between rows).</summary>
    public bool ByColumns { get; }

    /// <summary>How many blocks C is cut into (1 when the product is too small to be worth splitting).</summary>
    public int Parts { get; }

    /// <summary>Part <paramref name="part"/>'s block: the parts tile C in order.</summary>
    public GemmBlock Block(int part)
    {
        if ((uint)part >= (uint)Parts)
            throw new ArgumentOutOfRangeException(nameof(part), $"Part {part} of a product cut into {Parts}.");
        return ByColumns
            ? new GemmBlock(0, m, ColumnCut(part), ColumnCut(part + 1))
            : new GemmBlock(RowCut(part), RowCut(part + 1), 0, n);
    }

    private int ColumnCut(int p) =>
        p == 0 ? 0 : p == Parts ? n
        : (int)(((long)p * n / Parts + Gemm.ColumnCutMultiple / 2) / Gemm.ColumnCutMultiple * Gemm.ColumnCutMultiple);

    private int RowCut(int p) => (int)((long)p * m / Parts);
}
