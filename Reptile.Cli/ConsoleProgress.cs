using Reptile.Meta;
using Spectre.Console;

namespace Reptile.Cli;

/// <summary>Shows a long run's progress: a bar with ETA on a terminal, a plain line every few seconds
/// (and at the end) when output is redirected to a file or pipe. Log lines go above the bar.</summary>
internal static class ConsoleProgress
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static T Run<T>(string description, Func<IProgress<TrainingProgress>, T> work) => Run(description, (p, _) => work(p));

    public static T Run<T>(string description, Func<IProgress<TrainingProgress>, Action<string>, T> work)
    {
        if (!Interactive)
            return work(new PlainLines(description), Console.WriteLine);

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(description, maxValue: 1);
                result = work(new SpectreBar(task, description), line => AnsiConsole.MarkupLine(Markup.Escape(line)));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Adapts a count of finished items (e.g. evaluation tasks) to the progress display.</summary>
    public static IProgress<int> Counting(IProgress<TrainingProgress> progress, int total)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return new Progress(done => progress.Report(new TrainingProgress(done, total, float.NaN, clock.Elapsed)));
    }

    /// <summary>Adapts a loader's (done, total) counts to the progress display.</summary>
    public static IProgress<(int done, int total)> Loading(IProgress<TrainingProgress> progress) =>
        new Progress<(int done, int total)>(x => progress.Report(new TrainingProgress(x.done, x.total, float.NaN, TimeSpan.Zero)));

    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        private readonly Lock gate = new();
        public void Report(int value) { lock (gate) report(value); }
    }

    private static string LossText(float loss) => float.IsNaN(loss) ? "" : $", loss {loss:F4}";

    /// <summary>Training reports every meta-iteration (tens of thousands a second for sine): the bar is updated at
    /// most every 50 ms.</summary>
    private sealed class SpectreBar(ProgressTask task, string description) : IProgress<TrainingProgress>
    {
        private TimeSpan? lastShown;

        public void Report(TrainingProgress p)
        {
            if (p.Iteration < p.Total && lastShown is { } last && p.Elapsed - last < TimeSpan.FromMilliseconds(50)) return;
            lastShown = p.Elapsed;
            task.MaxValue = p.Total;
            task.Value = p.Iteration;
            if (!float.IsNaN(p.Loss)) task.Description = $"{description} [grey]loss {p.Loss:F4}[/]";
        }
    }

    private sealed class PlainLines(string description) : IProgress<TrainingProgress>
    {
        private TimeSpan? lastPrinted;

        public void Report(TrainingProgress p)
        {
            if (p.Iteration < p.Total && lastPrinted is { } last && p.Elapsed - last < TimeSpan.FromSeconds(10)) return;
            lastPrinted = p.Elapsed;
            var eta = p.Remaining is { } r ? $", ETA {r:hh\\:mm\\:ss}" : "";
            Console.WriteLine($"{description}: {p.Iteration}/{p.Total} ({100.0 * p.Iteration / p.Total:F0}%){LossText(p.Loss)}, {p.Elapsed:hh\\:mm\\:ss} elapsed{eta}");
        }
    }
}
