namespace Reptile.IO;

/// <summary>Where bytes being read come from (a file, and an entry when inside an archive): the readers build every
/// <see cref="InvalidFileException"/> through it, so each one names both.</summary>
internal readonly record struct FileSource(string FilePath, string? Entry = null)
{
    public InvalidFileException Invalid(string field, string problem, Exception? inner = null) => new(FilePath, Entry, field, problem, inner);
}
