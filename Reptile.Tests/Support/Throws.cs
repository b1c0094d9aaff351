namespace Reptile.Tests.Support;

public static class Throws
{
    /// <summary>Asserts that <paramref name="act"/> throws <typeparamref name="TException"/> (exactly) with a message
    /// that contains <paramref name="expected"/>: an error must say which file, row or option is wrong.</summary>
    public static TException Naming<TException>(string expected, Action act) where TException : Exception
    {
        var e = Assert.Throws<TException>(act);
        Assert.Contains(expected, e.Message);
        return e;
    }
}
