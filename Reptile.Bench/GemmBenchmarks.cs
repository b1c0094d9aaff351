using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Reptile.Kernels;

namespace Reptile.Bench;

/// <summary>
/// SGEMM on square sizes and on the convolution / dense shapes of the workload, per SIMD path.
/// The GFLOP/s column is 2·m·n·k / mean time. $GEMM_BENCH_SHAPES (comma-separated substrings of the
/// shape names) narrows the shape list.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];
    private IDisposable? forced;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [Params(SimdPath.Vector512, SimdPath.Vector256, SimdPath.Vector128)]
    public SimdPath Path { get; set; }

    public static IEnumerable<GemmShape> Shapes()
    {
        var filter = Environment.GetEnvironmentVariable("GEMM_BENCH_SHAPES");
        var parts = string.IsNullOrEmpty(filter) ? null : filter.Split(',');
        return GemmShape.All().Where(s => parts == null || parts.Any(p => s.Name.Contains(p)));
    }

    [GlobalSetup]
    public void Setup()
    {
        // BenchmarkDotNet runs setup and workload on one thread, so the thread-local force holds.
        forced = Simd.Force(Path <= Simd.Best ? Path : Simd.Best);
        var rnd = new Random(42);
        a = Enumerable.Range(0, Shape.M * Shape.K).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
        b = Enumerable.Range(0, Shape.K * Shape.N).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray();
        c = new float[Shape.M * Shape.N];
    }

    [GlobalCleanup]
    public void Cleanup() => forced?.Dispose();

    [Benchmark]
    public void Multiply() => Gemm.Multiply(a, Shape.TransA, b, Shape.TransB, c, Shape.M, Shape.N, Shape.K);

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(GflopsColumn);
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "2·m·n·k / mean time";

        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean; // nanoseconds
            if (mean is not > 0 || benchmarkCase.Parameters["Shape"] is not GemmShape shape)
                return "NA";
            return (shape.Flops / mean.Value).ToString("F1");
        }
    }
}
