using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using TorchSharpPeer;
using static TorchSharp.torch;

// TorchSharp peer of the Reptile benchmarks: the same protocols as ../omniglot_meta_iter.py and
// ../omniglot_eval_task.py, with TorchSharp 0.107.0 (LibTorch 2.10.0, CPU).
//   torchsharp-peer meta-iter  [--data D] [--threads 1,2] [--iters N] [--warmup W] [--json F] [--seed S] ...
//   torchsharp-peer eval-task  [--data D] [--threads 1,2] [--iters N] [--warmup W] [--json F] [--ways 5] [--shots 1]
//                              [--eval-batch 5] [--eval-iters 50] [--learning-rate 0.001] [--transductive]

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is "-h" or "--help" || args[0] is not ("meta-iter" or "eval-task"))
{
    Console.Error.WriteLine("usage: torchsharp-peer meta-iter|eval-task [--data DIR] [--threads T[,T...]] [--iters N] [--warmup W] [--json FILE] [--seed S]\n" +
        "  meta-iter: [--classes 5] [--train-shots 10] [--inner-batch 10] [--inner-iters 5] [--meta-batch 5] [--learning-rate 0.001] [--meta-step 1] [--train-chars 1200]\n" +
        "  eval-task: [--ways 5] [--shots 1] [--eval-batch 5] [--eval-iters 50] [--learning-rate 0.001] [--transductive] [--train-chars 1200]");
    return args.Length == 0 || args[0] is not ("-h" or "--help") ? 2 : 0;
}
var command = args[0];
var options = new Options(args[1..], flags: ["transductive"]);
bool metaIter = command == "meta-iter";
string data = options.Get("data", "/work/shared/data/omniglot");
var threadCounts = options.Get("threads", "2").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
int iters = options.Get("iters", metaIter ? 300 : 200), warmup = options.Get("warmup", metaIter ? 30 : 20);
int seed = options.Get("seed", 0), trainChars = options.Get("train-chars", 1200);
double learningRate = options.Get("learning-rate", 0.001);
int classes = 0, trainShots = 0, innerBatch = 0, innerIters = 0, metaBatch = 0, ways = 0, shots = 0, evalBatch = 0, evalIters = 0;
double metaStep = 0;
bool transductive = false;
if (metaIter)
{
    classes = options.Get("classes", 5); trainShots = options.Get("train-shots", 10); innerBatch = options.Get("inner-batch", 10);
    innerIters = options.Get("inner-iters", 5); metaBatch = options.Get("meta-batch", 5); metaStep = options.Get("meta-step", 1.0);
}
else
{
    ways = options.Get("ways", 5); shots = options.Get("shots", 1); evalBatch = options.Get("eval-batch", 5);
    evalIters = options.Get("eval-iters", 50); transductive = options.Flag("transductive");
}
string? jsonPath = options.Get<string?>("json", null);
options.RejectUnknown();

// One inter-op thread (the timed loop is sequential), as the Python peers; set before any parallel work.
set_num_interop_threads(1);
var images = Omniglot.Load(data);
double background = images.mean().item<float>();
string versions = $"TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)}, LibTorch {__version__}";

var results = new List<Dictionary<string, object?>>();
foreach (int threads in threadCounts)
{
    set_num_threads(threads);
    Dictionary<string, object?> s;
    if (metaIter)
    {
        var workload = new MetaIteration(images, seed, classes, trainShots, innerBatch, innerIters, metaBatch, learningRate, metaStep, trainChars);
        s = Timing.Measure(workload.Run, iters, warmup);
        bool finite = workload.Parameters.All(p => isfinite(p).all().item<bool>());
        s["threads"] = threads; s["get_num_threads"] = get_num_threads(); s["last_inner_loss"] = workload.LastLoss; s["params_finite"] = finite;
        Console.WriteLine(FormattableString.Invariant(
            $"torchsharp meta-iter threads={threads}: median {s["median_ms"]:F3} ms  mean {s["mean_ms"]:F3} ms per meta-iteration [process CPU median {s["cpu_median_ms"]:F3} ms] ({metaBatch} tasks x {innerIters} Adam steps x batch {innerBatch}; n={iters}, warmup={warmup}, last loss {workload.LastLoss:F3}, params finite {finite}, {versions})"));
    }
    else
    {
        var workload = new EvaluationTask(images, seed, ways, shots, evalBatch, evalIters, learningRate, transductive, trainChars);
        s = Timing.Measure(workload.Run, iters, warmup);
        bool finite = workload.Parameters.All(p => isfinite(p).all().item<bool>());
        double accuracy = workload.Correct / (double)Math.Max(1, workload.Predicted);
        s["threads"] = threads; s["get_num_threads"] = get_num_threads(); s["last_inner_loss"] = workload.LastLoss;
        s["accuracy_from_init"] = accuracy; s["params_finite"] = finite; s["adam_step_after"] = workload.AdamStep;
        Console.WriteLine(FormattableString.Invariant(
            $"torchsharp eval-task threads={threads}: median {s["median_ms"]:F3} ms  mean {s["mean_ms"]:F3} ms per task [process CPU median {s["cpu_median_ms"]:F3} ms] ({ways}-way {shots}-shot, {evalIters} Adam steps x batch {evalBatch}, {(transductive ? "transductive" : "non-transductive")}; n={iters}, warmup={warmup}, last loss {workload.LastLoss:F3}, accuracy from the initial weights {accuracy:F3}, {versions})"));
    }
    results.Add(s);
}

if (jsonPath != null)
{
    var report = new Dictionary<string, object?>
    {
        ["benchmark"] = metaIter ? "torchsharp_omniglot_meta_iter" : "torchsharp_omniglot_eval_task",
        ["config"] = options.All,
        ["data"] = new Dictionary<string, object?> { ["images"] = images.shape, ["background_fraction"] = background },
        ["results"] = results,
        ["env"] = new Dictionary<string, object?>
        {
            ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
            ["libtorch"] = __version__,
            ["dotnet"] = Environment.Version.ToString(),
            ["tiered_compilation"] = AppContext.TryGetSwitch("System.Runtime.TieredCompilation", out bool tc) ? tc : null,
            ["cpu_count"] = Environment.ProcessorCount,
            ["torch_num_interop_threads"] = get_num_interop_threads(),
            ["env"] = new[] { "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "DOTNET_TieredCompilation" }
                .ToDictionary(k => k, Environment.GetEnvironmentVariable),
        },
    };
    File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }) + "\n");
}
return 0;

/// <summary>`--name value` options and `--flag` switches.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values = [];
    private readonly HashSet<string> used = [];

    public Options(string[] args, string[] flags)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) throw new ArgumentException($"unexpected argument {args[i]}");
            var name = args[i][2..];
            if (flags.Contains(name)) values[name] = "true";
            else if (i + 1 < args.Length) values[name] = args[++i];
            else throw new ArgumentException($"--{name} needs a value");
        }
    }

    public IReadOnlyDictionary<string, string> All => values;

    public T Get<T>(string name, T fallback)
    {
        used.Add(name);
        if (!values.TryGetValue(name, out var text)) return fallback;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
    }

    public bool Flag(string name) => Get(name, "false") == "true";

    public void RejectUnknown()
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToArray();
        if (unknown.Length > 0) throw new ArgumentException("unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
    }
}

/// <summary>Times a body as ../_common.py's time_loop does: warm-up runs, then each timed run's wall clock
/// (Stopwatch) and the process's CPU time (all threads), summarised like summarize().</summary>
internal static class Timing
{
    public static Dictionary<string, object?> Measure(Action body, int iters, int warmup)
    {
        string before = LoadAverage();
        for (int i = 0; i < warmup; i++) body();
        var wall = new double[iters];
        var cpu = new double[iters];
        for (int i = 0; i < iters; i++)
        {
            var c0 = Environment.CpuUsage.TotalTime;
            long t0 = Stopwatch.GetTimestamp();
            body();
            long t1 = Stopwatch.GetTimestamp();
            var c1 = Environment.CpuUsage.TotalTime;
            wall[i] = (t1 - t0) * 1e3 / Stopwatch.Frequency;
            cpu[i] = (c1 - c0).TotalMilliseconds;
        }
        var w = wall.Order().ToArray();
        var c = cpu.Order().ToArray();
        int n = w.Length;
        double mean = w.Average();
        return new Dictionary<string, object?>
        {
            ["n"] = n,
            ["median_ms"] = Median(w),
            ["mean_ms"] = mean,
            ["min_ms"] = w[0],
            ["p10_ms"] = w[(int)(0.10 * (n - 1))],
            ["p90_ms"] = w[(int)(0.90 * (n - 1))],
            ["stdev_ms"] = n > 1 ? Math.Sqrt(w.Sum(x => (x - mean) * (x - mean)) / (n - 1)) : 0.0,
            ["cpu_median_ms"] = Median(c),
            ["cpu_mean_ms"] = c.Average(),
            ["cpu_min_ms"] = c[0],
            ["loadavg_before"] = before,
            ["loadavg_after"] = LoadAverage(),
        };
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); }
        catch (IOException) { return ""; }
    }
}
