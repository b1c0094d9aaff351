namespace Reptile.Distributed;

/// <summary>An MPI call failed, or no usable MPI library could be loaded. The message names the call and MPI's own
/// description of the error.</summary>
public sealed class MpiException : Exception
{
    public MpiException(string call, int errorCode, string description)
        : base($"{call} failed with MPI error {errorCode}: {description}")
        => (Call, ErrorCode) = (call, errorCode);

    public MpiException(string message, Exception? inner = null) : base(message, inner) => Call = "";

    /// <summary>The MPI function that failed (empty when the library itself could not be loaded).</summary>
    public string Call { get; }
    /// <summary>MPI's error code.</summary>
    public int ErrorCode { get; }
}
