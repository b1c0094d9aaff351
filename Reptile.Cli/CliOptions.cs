using System.CommandLine;

namespace Reptile.Cli;

/// <summary>Option builders with the range checks every command shares (a bad value is a usage error).</summary>
internal static class CliOptions
{
    public static Option<int> Positive(string name, string description, int defaultValue) =>
        Checked(new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, v => v >= 1, "must be at least 1");

    public static Option<int> NonNegative(string name, string description, int defaultValue) =>
        Checked(new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, v => v >= 0, "must be at least 0");

    public static Option<float> PositiveFloat(string name, string description, float defaultValue) =>
        Checked(new Option<float>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, v => v > 0 && float.IsFinite(v), "must be a positive number");

    public static Option<float> UnitInterval(string name, string description, float defaultValue) =>
        Checked(new Option<float>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, v => v >= 0 && v <= 1, "must be in [0, 1]");

    public static Option<int> Seed() =>
        Checked(new Option<int>("--seed") { Description = "Random seed (same seed, same result)", DefaultValueFactory = _ => 0 }, v => v >= 0, "must be at least 0");

    private static Option<T> Checked<T>(Option<T> option, Func<T, bool> valid, string requirement)
    {
        option.Validators.Add(result =>
        {
            T value;
            try { value = result.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; } // not a T at all: the parser reports that itself
            if (!valid(value)) result.AddError($"{option.Name} {requirement} (got {value}).");
        });
        return option;
    }

    /// <summary>A library options error (which names properties, e.g. "FewShotOptions.MetaStep must …") restated with
    /// the flags that set them ("--meta-step must …"); flags are the properties' names in kebab case.</summary>
    public static string InFlagTerms(ArgumentException e, string optionsType)
    {
        var message = e.Message.Split('\n')[0];
        if (e.ParamName != null) message = message.Replace($" (Parameter '{e.ParamName}')", "");
        message = System.Text.RegularExpressions.Regex.Replace(message, $@"\b{optionsType}\.([A-Z]\w*)", m => Flag(m.Groups[1].Value));
        message = System.Text.RegularExpressions.Regex.Replace(message, @"\b(Foml|Replacement|Shots)\b", m => Flag(m.Groups[1].Value));
        return e is ArgumentOutOfRangeException { ActualValue: { } value } ? $"{message.TrimEnd('.')} (got {value})." : message;
    }

    private static string Flag(string property) =>
        "--" + System.Text.RegularExpressions.Regex.Replace(property, "(?<=[a-z])([A-Z])", "-$1").ToLowerInvariant();
}
