namespace Reptile.Tests.Support;

/// <summary>Captures standard output and error while a command runs.</summary>
public static class ConsoleCapture
{
    public static (int ExitCode, string Out, string Error) Run(Func<int> body)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (output, error) = (new StringWriter(), new StringWriter());
        Console.SetOut(output);
        Console.SetError(error);
        try { return (body(), output.ToString(), error.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}
