namespace Reptile.Kernels;

/// <summary>Rows [RowStart, RowEnd) × columns [ColumnStart, ColumnEnd) of a product's result C.</summary>
/// <param name="RowStart">First row of the block.</param>
/// <param name="RowEnd">One past the last row.</param>
/// <param name="ColumnStart">First column of the block.</param>
/// <param name="ColumnEnd">One past the last column.</param>
public readonly record struct GemmBlock(int RowStart, int RowEnd, int ColumnStart, int ColumnEnd)
{
    /// <summary>Rows of C in the block (RowEnd − RowStart).</summary>
    public int Rows => RowEnd - RowStart;
    /// <summary>Columns of C in the block (ColumnEnd − ColumnStart).</summary>
    public int Columns => ColumnEnd - ColumnStart;
}
