namespace Reptile.Distributed;

/// <summary>An MPI call failed, or no usable MPI library could be loaded. The message names the call and MPI's own
/// description of the error.</summary>
public sealed class MpiException : Exception
{
    /// <summary>An MPI call that returned an error.</summary>
    /// <param name="call">The MPI function, e.g. MPI_Allgatherv.</param>
    /// <param name="errorCode">The code it returned.</param>
    /// <param name="description">MPI's text for the code (MPI_Error_string).</param>
    public MpiException(string call, int errorCode, string description)
        : base($"{call} failed with MPI error {errorCode}: {description}")
        => (Call, ErrorCode) = (call, errorCode);

    /// <summary>A failure outside an MPI call, such as no loadable MPI library; <see cref="Call"/> is empty.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    public MpiException(string message) : base(message) => Call = "";

    /// <summary>A failure outside an MPI call caused by <paramref name="inner"/>; <see cref="Call"/> is empty.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    /// <param name="inner">The underlying failure (e.g. the library loader's).</param>
    public MpiException(string message, Exception inner) : base(message, inner) => Call = "";

    /// <summary>The MPI function that failed (empty when the library itself could not be loaded).</summary>
    public string Call { get; }
    /// <summary>MPI's error code.</summary>
    public int ErrorCode { get; }
}
