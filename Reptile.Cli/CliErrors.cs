namespace Reptile.Cli;

/// <summary>Exit codes: 0 success, 1 a failure while running (bad data, diverged training), 2 bad usage.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    /// <summary>Runs a command body, turning the errors users can cause into a message and an exit code.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Usage;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException
                                      or NotSupportedException or Meta.TrainingDivergedException or ArgumentException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
    }
}

/// <summary>A flag value or combination that cannot work: reported with the usage exit code.</summary>
internal sealed class UsageException(string message) : Exception(message);
