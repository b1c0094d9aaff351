using Reptile.Cli;
using Reptile.Tests.IO;
using Reptile.Tests.Support;

namespace Reptile.Tests.Cli;

/// <summary>What the command line prints for errors: one line for a user's error (exit 1), one line and a hint for a
/// bug (exit 70), the stack trace only with --verbose or REPTILE_VERBOSE=1.</summary>
[Collection(ConsoleCollection.Name)]
public class CliErrorTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (int ExitCode, string Error) Guarded(Func<int> body, bool verbose)
    {
        var old = ExitCodes.Verbose;
        ExitCodes.Verbose = verbose;
        try
        {
            var (code, _, error) = ConsoleCapture.Run(() => ExitCodes.Guard(body));
            return (code, error);
        }
        finally { ExitCodes.Verbose = old; }
    }

    [Fact]
    public void ABugPrintsOneLineWithAHintAndExits70()
    {
        var (code, error) = Guarded(() => throw new NullReferenceException("boom"), verbose: false);
        Assert.Equal(ExitCodes.InternalError, code);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("error: internal error (System.NullReferenceException): boom", line);
        Assert.Contains("--verbose", line);
        Assert.Contains("REPTILE_VERBOSE=1", line);
    }

    [Fact]
    public void VerbosePrintsTheTraceOfABug()
    {
        var (code, error) = Guarded(() => throw new InvalidOperationException("state"), verbose: true);
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.True(Lines(error).Length > 2);
        Assert.Contains(" at ", error);
    }

    [Fact]
    public void AUserErrorIsOneLineExitOneEvenWhenTheMessageHasLineBreaks()
    {
        var (code, error) = Guarded(() => throw new InvalidDataException("first\nsecond"), verbose: false);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal("error: first second", Assert.Single(Lines(error)));
    }

    [Fact]
    public void OutOfMemoryIsAUserErrorWithAHint()
    {
        var (code, error) = Guarded(() => throw new OutOfMemoryException(), verbose: false);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.StartsWith("error: out of memory; use smaller settings", Assert.Single(Lines(error)));
    }

    [Fact]
    public void AWrappedUserErrorIsStillAUserError()
    {
        var (code, error) = Guarded(() => throw new AggregateException(new FileNotFoundException("gone.png")), verbose: false);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal("error: gone.png", Assert.Single(Lines(error)));
    }

    [Fact]
    public void CorruptDataFileIsOneLineNamingTheFileAndExitsOne()
    {
        using var dir = new TempDir();
        dir.Write("images_background.npz", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        dir.Write("images_evaluation.npz", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        var (code, _, error) = ConsoleCapture.Run(() => ReptileCli.Run(["omniglot", "--data", dir.Path, "--meta-iters", "1"]));
        Assert.Equal(ExitCodes.Failure, code);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("error: ", line);
        Assert.Contains(dir.File("images_background.npz"), line);
        Assert.Contains("zip central directory", line);

        var (verboseCode, _, verboseError) = ConsoleCapture.Run(() => ReptileCli.Run(["omniglot", "--data", dir.Path, "--meta-iters", "1", "--verbose"]));
        Assert.Equal(ExitCodes.Failure, verboseCode);
        Assert.Contains("Reptile.IO.InvalidFileException", verboseError);
        Assert.Contains(" at ", verboseError);
    }
}
