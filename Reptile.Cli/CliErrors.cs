namespace Reptile.Cli;

/// <summary>
/// Exit codes: 0 success, 1 a failure the user can cause (bad data, a missing file, diverged training), 2 bad usage,
/// 70 an internal error (a bug in reptile; EX_SOFTWARE in sysexits.h).
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int InternalError = 70;

    /// <summary>Environment variable that turns on stack traces, like the --verbose option.</summary>
    public const string VerboseVariable = "REPTILE_VERBOSE";

    /// <summary>Whether errors also print their stack trace (--verbose or REPTILE_VERBOSE=1); set per run by <see cref="ReptileCli.Run"/>.</summary>
    public static bool Verbose { get; set; }

    /// <summary>Runs a command body, turning every exception into one <c>error: ...</c> line on stderr and an exit code:
    /// <see cref="Usage"/> for bad flags, <see cref="Failure"/> for errors a user can cause, <see cref="InternalError"/>
    /// (with a hint to get the trace) for anything else.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception thrown)
        {
            var e = Unwrap(thrown);
            int code = e is UsageException ? Usage : IsUserError(e) ? Failure : InternalError;
            Console.Error.WriteLine($"error: {Describe(e, code)}");
            if (Verbose) Console.Error.WriteLine(thrown);
            return code;
        }
    }

    private static string Describe(Exception e, int code) => code == InternalError
        ? $"internal error ({e.GetType().FullName}): {OneLine(e.Message)} This is a bug in reptile; run again with --verbose (or {VerboseVariable}=1) for the stack trace, and report it."
        : e is OutOfMemoryException
            ? "out of memory; use smaller settings (batch sizes, image size, threads) or free memory."
            : OneLine(e.Message);

    /// <summary>Errors that come from what the user gave: files, folders, flags, data, training settings.</summary>
    private static bool IsUserError(Exception e) =>
        e is not ArgumentNullException and (IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException
            or Meta.TrainingDivergedException or ArgumentException or KeyNotFoundException
            or OperationCanceledException or OutOfMemoryException or HttpRequestException or Distributed.MpiException);

    /// <summary>Parallel loops wrap the first failure; report that one.</summary>
    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: >= 1 } a) e = a.InnerExceptions[0];
        return e;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>A flag value or combination that cannot work: reported with the usage exit code.</summary>
internal sealed class UsageException(string message) : Exception(message);
