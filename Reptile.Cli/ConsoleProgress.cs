using Reptile.Meta;
using Spectre.Console;

namespace Reptile.Cli;

/// <summary>Shows a long run's progress: a bar with ETA on a terminal, a plain line every few seconds
/// (and at the end) when output is redirected to a file or pipe.</summary>
internal static class ConsoleProgress
{
    public static T Run<T>(string description, Func<IProgress<TrainingProgress>, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return work(new PlainLines(description));

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(description, maxValue: 1);
                result = work(new SpectreBar(task, description));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private sealed class SpectreBar(ProgressTask task, string description) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            task.MaxValue = p.Total;
            task.Value = p.Iteration;
            task.Description = $"{description} [grey]loss {p.Loss:F4}[/]";
        }
    }

    private sealed class PlainLines(string description) : IProgress<TrainingProgress>
    {
        private TimeSpan? lastPrinted;

        public void Report(TrainingProgress p)
        {
            if (p.Iteration < p.Total && lastPrinted is { } last && p.Elapsed - last < TimeSpan.FromSeconds(5)) return;
            lastPrinted = p.Elapsed;
            var eta = p.Remaining is { } r ? $", ETA {r:hh\\:mm\\:ss}" : "";
            Console.WriteLine($"{description}: {p.Iteration}/{p.Total} ({100.0 * p.Iteration / p.Total:F0}%), loss {p.Loss:F4}, {p.Elapsed:hh\\:mm\\:ss} elapsed{eta}");
        }
    }
}
