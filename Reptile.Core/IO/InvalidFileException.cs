namespace Reptile.IO;

/// <summary>
/// A file (or an entry inside an archive) whose content the library cannot accept: corrupt, truncated, of an
/// unsupported variant, or claiming more than <see cref="ReadLimits"/> allows. Every reader in Reptile.IO and
/// Reptile.Data throws this type for a problem in a file's bytes, so callers need one catch; I/O failures
/// (a missing file, no permission) stay <see cref="IOException"/>s that name the path.
/// </summary>
/// <remarks>The message is one line: <c>path (entry 'name'): field: problem</c>. It derives from <see cref="IOException"/>
/// because <see cref="InvalidDataException"/> is sealed; code that catches <see cref="IOException"/> for "this file
/// cannot be used" keeps working.</remarks>
public sealed class InvalidFileException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>, optionally an entry in it, and the part that is wrong.</summary>
    public InvalidFileException(string filePath, string? entry, string field, string problem, Exception? innerException = null)
        : base(Format(filePath, entry, field, problem), innerException)
    {
        FilePath = filePath;
        Entry = entry;
        Field = field;
    }

    /// <summary>The file as the caller named it (for a stream, the source name the caller gave).</summary>
    public string FilePath { get; }

    /// <summary>The entry inside an archive (a zip member such as <c>images.npy</c>), or null for a plain file.</summary>
    public string? Entry { get; }

    /// <summary>The header field or part of the file that is wrong, e.g. <c>IHDR width</c>, <c>shape</c>, <c>data_offsets</c>.</summary>
    public string Field { get; }

    private static string Format(string filePath, string? entry, string field, string problem)
    {
        var where = entry == null ? filePath : $"{filePath} (entry '{entry}')";
        // One printable line, whatever a corrupt name or an inner library put in it.
        var text = $"{where}: {field}: {problem}".ReplaceLineEndings(" ");
        return text.Any(char.IsControl) ? new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray()) : text;
    }
}
