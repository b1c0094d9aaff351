using FsCheck;
using FsCheck.Fluent;
using Reptile.Kernels;
using static Reptile.Tests.Kernels.KernelCheck;

namespace Reptile.Tests.Kernels;

public class BiasTests
{
    private static Arbitrary<(int Rows, int Cols, int Seed)> Shapes =>
        (from rows in Gen.Choose(0, 6) from cols in Length from seed in Gen.Choose(0, int.MaxValue) select (rows, cols, seed)).ToArbitrary();

    [Fact]
    public void AddToRowsMatchesReference() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        var x = Random(rng, s.Rows * s.Cols);
        var b = Random(rng, s.Cols);
        var expected = new double[x.Length];
        for (int r = 0; r < s.Rows; r++)
            for (int c = 0; c < s.Cols; c++) expected[r * s.Cols + c] = (double)x[r * s.Cols + c] + b[c];
        Bias.AddToRows(x, b, s.Rows);
        Close(expected, x, 1e-6, 1e-6);
    }, everyPath: true);

    [Fact]
    public void SumRowsAccumulates() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        var dy = Random(rng, s.Rows * s.Cols);
        var db = Random(rng, s.Cols);
        var expected = ToDouble(db);
        for (int r = 0; r < s.Rows; r++)
            for (int c = 0; c < s.Cols; c++) expected[c] += dy[r * s.Cols + c];
        Bias.SumRows(dy, db, s.Rows);
        Close(expected, db, 1e-5, 1);
    }, everyPath: true);

    [Fact]
    public void AddToChannelsMatchesReference() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        int channels = s.Rows, plane = s.Cols;
        var x = Random(rng, channels * plane);
        var b = Random(rng, channels);
        var expected = new double[x.Length];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i++) expected[c * plane + i] = (double)x[c * plane + i] + b[c];
        Bias.AddToChannels(x, b, plane);
        Close(expected, x, 1e-6, 1e-6);
    }, everyPath: true);

    [Fact]
    public void SumChannelsAccumulates() => Property.ForAll(Shapes, s =>
    {
        var rng = new Random(s.Seed);
        int channels = s.Rows, plane = s.Cols;
        var dy = Random(rng, channels * plane);
        var db = Random(rng, channels);
        var expected = ToDouble(db);
        var magnitude = new double[channels];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i++) { expected[c] += dy[c * plane + i]; magnitude[c] += Math.Abs(dy[c * plane + i]); }
        Bias.SumChannels(dy, db, plane);
        for (int c = 0; c < channels; c++) Close(expected[c], db[c], 1e-5, magnitude[c] + 1, $"dbias[{c}]");
    }, everyPath: true);

    [Fact]
    public void ShapeMismatchThrows()
    {
        Assert.Throws<ArgumentException>(() => Bias.AddToRows(new float[10], new float[3], 3));
        Assert.Throws<ArgumentException>(() => Bias.SumRows(new float[9], new float[4], 3));
        Assert.Throws<ArgumentException>(() => Bias.AddToChannels(new float[10], new float[3], 4));
        Assert.Throws<ArgumentException>(() => Bias.SumChannels(new float[12], new float[3], 5));
    }
}
