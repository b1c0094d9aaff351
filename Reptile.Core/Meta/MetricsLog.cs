using System.Globalization;
using System.Text;
using Reptile.IO;

namespace Reptile.Meta;

/// <summary>
/// A run's metrics, one row per meta-iteration in order, and their CSV form (metrics.csv:
/// <c>iteration,meta_step,train_loss,train_accuracy,test_accuracy</c>, accuracies empty where not evaluated).
/// </summary>
public sealed class MetricsLog : IReadOnlyList<MetricsRow>
{
    private const string Header = "iteration,meta_step,train_loss,train_accuracy,test_accuracy";
    private readonly List<MetricsRow> rows = [];

    /// <summary>Rows logged: the meta-iterations done.</summary>
    public int Count => rows.Count;
    /// <summary>The row of meta-iteration <paramref name="index"/> (0-based).</summary>
    public MetricsRow this[int index] => rows[index];

    /// <summary>Appends the row of the next meta-iteration.</summary>
    public void Add(MetricsRow row)
    {
        if (rows.Count > 0 && row.Iteration != rows[^1].Iteration + 1)
            throw new ArgumentException($"Metrics rows come in order: iteration {row.Iteration} cannot follow {rows[^1].Iteration}.", nameof(row));
        rows.Add(row);
    }

    /// <summary>Records the interval evaluation of the row at <paramref name="index"/>.</summary>
    public void SetAccuracy(int index, double? trainAccuracy, double? testAccuracy) =>
        rows[index] = rows[index] with { TrainAccuracy = trainAccuracy, TestAccuracy = testAccuracy };

    /// <summary>Keeps the rows of meta-iterations before <paramref name="iteration"/>.</summary>
    public void KeepBefore(int iteration) => rows.RemoveAll(r => r.Iteration >= iteration);

    /// <summary>Replaces this log's rows with <paramref name="other"/>'s.</summary>
    public void ReplaceWith(IEnumerable<MetricsRow> other)
    {
        var copy = other.ToList();
        rows.Clear();
        foreach (var r in copy) Add(r);
    }

    /// <summary>Writes metrics.csv atomically (a reader or a crash never sees half of it).</summary>
    public void Write(string path)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
            csv.Append(CultureInfo.InvariantCulture, $"{r.Iteration},{r.MetaStep:G9},{r.Loss:G9},{r.TrainAccuracy},{r.TestAccuracy}\n");
        AtomicFile.WriteAllText(path, csv.ToString());
    }

    /// <summary>Reads a metrics.csv that <see cref="Write"/> wrote; a malformed file is an
    /// <see cref="InvalidFileException"/> naming the line and column.</summary>
    public static MetricsLog Read(string path)
    {
        var log = new MetricsLog();
        int lineNumber = 0;
        using var reader = new StreamReader(OpenMetrics(path));
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line != Header) throw new InvalidFileException(path, null, "header", $"expected '{Header}'");
                continue;
            }
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != 5) throw new InvalidFileException(path, null, $"line {lineNumber}", $"{f.Length} columns, expected 5");
            var row = new MetricsRow(
                Parse<int>(f[0], "iteration", s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null),
                Parse(f[1], "meta_step", ParseFloat), Parse(f[2], "train_loss", ParseFloat),
                f[3].Length == 0 ? null : Parse(f[3], "train_accuracy", ParseAccuracy),
                f[4].Length == 0 ? null : Parse(f[4], "test_accuracy", ParseAccuracy));
            if (log.Count > 0 && row.Iteration != log[^1].Iteration + 1)
                throw new InvalidFileException(path, null, $"line {lineNumber}, iteration", $"{row.Iteration} does not follow {log[^1].Iteration}");
            log.rows.Add(row);

            T Parse<T>(string text, string column, Func<string, T?> parse) where T : struct =>
                parse(text) ?? throw new InvalidFileException(path, null, $"line {lineNumber}, {column}", $"'{Shorten(text)}' is not a valid value");
        }
        if (lineNumber == 0) throw new InvalidFileException(path, null, "header", "the file is empty");
        return log;
    }

    private static Stream OpenMetrics(string path) => UntrustedFile.OpenRead(path, "metrics file");

    private static float? ParseFloat(string s) =>
        float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static double? ParseAccuracy(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && v <= 1 ? v : null;

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>The rows in iteration order.</summary>
    public IEnumerator<MetricsRow> GetEnumerator() => rows.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
