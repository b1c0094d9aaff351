namespace Reptile.Tests.Support;

/// <summary>Reports on the calling thread, at once (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
