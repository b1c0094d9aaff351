using System.Globalization;
using System.Text;

namespace Reptile.IO;

/// <summary>
/// A small line/scatter chart written as standalone SVG (any browser opens it): for the sine figure,
/// learning curves and benchmark plots, with no plotting dependency.
/// </summary>
public sealed class SvgChart(string title, string xLabel, string yLabel)
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];
    private readonly List<Series> series = [];

    /// <summary>How a series is drawn.</summary>
    public enum Style
    {
        /// <summary>A solid line through the points.</summary>
        Line,
        /// <summary>A dashed line through the points.</summary>
        Dashed,
        /// <summary>A dot at each point, no line.</summary>
        Markers,
    }

    private sealed record Series(string Name, double[] X, double[] Y, Style Style, string Color);

    /// <summary>Width of the picture in SVG pixels.</summary>
    public int Width { get; init; } = 720;
    /// <summary>Height of the picture in SVG pixels.</summary>
    public int Height { get; init; } = 440;
    /// <summary>Lower end of the y axis (by default: from the data, rounded down to a tick).</summary>
    public double? YMin { get; init; }
    /// <summary>Upper end of the y axis (by default: from the data, rounded up to a tick).</summary>
    public double? YMax { get; init; }

    /// <summary>Adds a series; returns this chart, for chaining.</summary>
    /// <param name="name">The legend's label.</param>
    /// <param name="x">X values.</param>
    /// <param name="y">Y values, as many as x; non-finite points are left out of the axis range.</param>
    /// <param name="style">Line, dashed line or markers.</param>
    /// <param name="color">A CSS colour, or null for the next of the palette.</param>
    /// <exception cref="ArgumentException">x and y differ in length.</exception>
    public SvgChart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, Style style = Style.Line, string? color = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Series '{name}' has {x.Count} x values and {y.Count} y values.");
        series.Add(new Series(name, x.ToArray(), y.ToArray(), style, color ?? Palette[series.Count % Palette.Length]));
        return this;
    }

    /// <summary>The chart as a standalone SVG document.</summary>
    public string Render()
    {
        const int left = 70, top = 40, bottom = 55;
        int right = Math.Max(170, 50 + 7 * series.Select(x => x.Name.Length).DefaultIfEmpty(0).Max());
        double plotW = Width - left - right, plotH = Height - top - bottom;
        var xs = series.SelectMany(s => s.X).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var (x0, x1, xStep) = NiceRange(xs.Min(), xs.Max());
        var (y0, y1, yStep) = NiceRange(YMin ?? ys.Min(), YMax ?? ys.Max());
        double Px(double x) => left + (x - x0) / (x1 - x0) * plotW;
        double Py(double y) => top + plotH - (Math.Clamp(y, y0, y1) - y0) / (y1 - y0) * plotH;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"{left + plotW / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));
        for (double t = x0; t <= x1 + xStep / 2; t += xStep)
            svg.Append(Invariant($"<line x1=\"{Px(t):F1}\" y1=\"{top}\" x2=\"{Px(t):F1}\" y2=\"{top + plotH}\" stroke=\"#eee\"/><text x=\"{Px(t):F1}\" y=\"{top + plotH + 16}\" text-anchor=\"middle\">{Tick(t)}</text>\n"));
        for (double t = y0; t <= y1 + yStep / 2; t += yStep)
            svg.Append(Invariant($"<line x1=\"{left}\" y1=\"{Py(t):F1}\" x2=\"{left + plotW}\" y2=\"{Py(t):F1}\" stroke=\"#eee\"/><text x=\"{left - 6}\" y=\"{Py(t) + 4:F1}\" text-anchor=\"end\">{Tick(t)}</text>\n"));
        svg.Append(Invariant($"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#444\"/>\n"));
        svg.Append(Invariant($"<text x=\"{left + plotW / 2}\" y=\"{Height - 14}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate(18 {top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n"));

        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.Style == Style.Markers)
            {
                for (int k = 0; k < s.X.Length; k++)
                    if (double.IsFinite(s.Y[k]))
                        svg.Append(Invariant($"<circle cx=\"{Px(s.X[k]):F1}\" cy=\"{Py(s.Y[k]):F1}\" r=\"4\" fill=\"{s.Color}\"/>\n"));
            }
            else
            {
                var points = string.Join(" ", Enumerable.Range(0, s.X.Length).Where(k => double.IsFinite(s.Y[k])).Select(k => Invariant($"{Px(s.X[k]):F1},{Py(s.Y[k]):F1}")));
                string dash = s.Style == Style.Dashed ? " stroke-dasharray=\"6 4\"" : "";
                svg.Append($"<polyline points=\"{points}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>\n");
            }
            double ly = top + 14 + i * 20, lx = left + plotW + 14;
            svg.Append(s.Style == Style.Markers
                ? Invariant($"<circle cx=\"{lx + 10}\" cy=\"{ly - 4}\" r=\"4\" fill=\"{s.Color}\"/>")
                : Invariant($"<line x1=\"{lx}\" y1=\"{ly - 4}\" x2=\"{lx + 20}\" y2=\"{ly - 4}\" stroke=\"{s.Color}\" stroke-width=\"2\"{(s.Style == Style.Dashed ? " stroke-dasharray=\"6 4\"" : "")}/>"));
            svg.Append(Invariant($"<text x=\"{lx + 26}\" y=\"{ly}\">{Escape(s.Name)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>
    /// Writes <see cref="Render"/>'s document to <paramref name="path"/> (atomically: a reader never sees half a
    /// file).
    /// </summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, Render());

    private static (double Low, double High, double Step) NiceRange(double min, double max)
    {
        if (!(max > min)) { min -= 1; max += 1; }
        double raw = (max - min) / 6;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    private static string Tick(double v) =>
        Math.Abs(v) < 1e-12 ? "0"
        : Math.Abs(v) >= 1e4 && Math.Abs(v) < 1e9 && v == Math.Round(v) ? v.ToString("#,0", CultureInfo.InvariantCulture) // 20,000 rather than 2E+04
        : v.ToString("G4", CultureInfo.InvariantCulture);
    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
