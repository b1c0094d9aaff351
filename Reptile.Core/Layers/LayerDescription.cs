using System.Globalization;
using System.Text.RegularExpressions;

namespace Reptile.Layers;

/// <summary>Reads the PyTorch-style descriptions layers write (<c>Name(positional, key=value, …)</c>) back into layers.</summary>
internal static partial class LayerDescription
{
    [GeneratedRegex(@"^\s*(?<name>[A-Za-z][A-Za-z0-9]*)\((?<args>[^()]*)\)\s*$")]
    private static partial Regex Call();

    public static Layer Parse(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var match = Call().Match(description);
        if (!match.Success) throw new FormatException($"'{Shorten(description)}' is not a layer description such as 'Linear(64, 5)'.");
        var positional = new List<string>();
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in match.Groups["args"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq < 0)
            {
                if (named.Count > 0) throw new FormatException($"'{Shorten(description)}': a positional argument follows a named one.");
                positional.Add(part);
            }
            else if (!named.TryAdd(part[..eq].Trim(), part[(eq + 1)..].Trim()))
                throw new FormatException($"'{Shorten(description)}': '{part[..eq].Trim()}' is given twice.");
        }
        var args = new Arguments(description, positional, named);
        Layer layer = match.Groups["name"].Value switch
        {
            "Linear" => new Linear(args.Int(0, "in_features"), args.Int(1, "out_features")),
            "Conv2d" => new Conv2d(args.Int(0, "in_channels"), args.Int(1, "out_channels"), args.Int(2, "kernel_size"),
                args.Int(3, "stride", 1), args.Int(4, "padding", 0)),
            "BatchNorm2d" => new BatchNorm2d(args.Int(0, "num_features"), args.Float(1, "eps", 1e-5f),
                args.Bool(-1, "track_running_stats", false), args.Float(-1, "momentum", 0.1f)),
            "MaxPool2d" => new MaxPool2d(args.Int(0, "kernel_size"), args.Int(1, "stride", -1) is var s && s > 0 ? s : null,
                args.Bool(-1, "ceil_mode", false)),
            "ReLU" => new Relu(),
            "Tanh" => new Tanh(),
            "Flatten" => new Flatten(),
            var other => throw new FormatException($"'{Shorten(description)}': '{other}' is not a layer this engine has (Linear, Conv2d, BatchNorm2d, MaxPool2d, ReLU, Tanh, Flatten)."),
        };
        args.RequireAllUsed();
        return layer;
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";

    /// <summary>Arguments by position or by PyTorch's keyword; each may be read once.</summary>
    private sealed class Arguments(string description, List<string> positional, Dictionary<string, string> named)
    {
        private readonly HashSet<string> used = [];
        private int positionalUsed;

        private string? Text(int position, string name)
        {
            if (named.TryGetValue(name, out var v)) { used.Add(name); return v; }
            if (position >= 0 && position < positional.Count) { positionalUsed = Math.Max(positionalUsed, position + 1); return positional[position]; }
            return null;
        }

        public int Int(int position, string name, int? fallback = null)
        {
            var text = Text(position, name);
            if (text == null) return fallback ?? throw new FormatException($"'{Shorten(description)}': {name} is missing.");
            // PyTorch writes pairs for square kernels, strides and paddings: "(3, 3)" has no parentheses here, so
            // only plain numbers are accepted.
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
                ? v : throw new FormatException($"'{Shorten(description)}': {name} '{text}' is not a whole number.");
        }

        public float Float(int position, string name, float fallback)
        {
            var text = Text(position, name);
            if (text == null) return fallback;
            return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
                ? v : throw new FormatException($"'{Shorten(description)}': {name} '{text}' is not a number.");
        }

        public bool Bool(int position, string name, bool fallback)
        {
            var text = Text(position, name);
            return text switch
            {
                null => fallback,
                "True" or "true" => true,
                "False" or "false" => false,
                _ => throw new FormatException($"'{Shorten(description)}': {name} '{text}' is not True or False."),
            };
        }

        public void RequireAllUsed()
        {
            if (positionalUsed < positional.Count)
                throw new FormatException($"'{Shorten(description)}': {positional.Count - positionalUsed} argument(s) too many.");
            var unknown = named.Keys.Where(k => !used.Contains(k)).ToArray();
            if (unknown.Length > 0) throw new FormatException($"'{Shorten(description)}': unknown argument(s) {string.Join(", ", unknown)}.");
        }
    }
}
