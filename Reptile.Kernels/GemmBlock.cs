namespace Reptile.Kernels;

/// <summary>Rows [RowStart, RowEnd) × columns [ColumnStart, ColumnEnd) of a product's result C.</summary>
public readonly record struct GemmBlock(int RowStart, int RowEnd, int ColumnStart, int ColumnEnd)
{
    public int Rows => RowEnd - RowStart;
    public int Columns => ColumnEnd - ColumnStart;
}
