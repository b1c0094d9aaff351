using System.Runtime.InteropServices;

namespace Reptile.IO;

/// <summary>
/// Opens a file named by a user for reading, refusing anything that is not a regular file (a FIFO would block the
/// open forever; /dev/zero or a socket never ends) before opening it. A symbolic link is followed to its final
/// target, which must itself be a regular file.
/// </summary>
internal static class UntrustedFile
{
    /// <summary>Opens <paramref name="path"/> after the checks; <paramref name="kind"/> names the expected content
    /// in the not-found message ("PNG file").</summary>
    public static FileStream OpenRead(string path, string kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        FileSystemInfo target = info;
        if (info.LinkTarget != null)
            target = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        if (Directory.Exists(target.FullName))
            throw new UnauthorizedAccessException($"{path} is a directory, not a {kind}.");
        if (!target.Exists)
            throw new FileNotFoundException($"{char.ToUpperInvariant(kind[0])}{kind[1..]} not found: {path}", path);
        var type = FileTypeOf(target.FullName);
        if (type != null)
            throw new InvalidFileException(path, null, "file type", $"is a {type}, not a regular file; refused without opening it.");
        var stream = new FileStream(target.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new InvalidFileException(path, null, "file type", "is not a regular (seekable) file.");
        }
        return stream;
    }

    /// <summary>The kind of a non-regular file ("FIFO", "character device", ...), or null for a regular file.</summary>
    private static string? FileTypeOf(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            // statx has one struct layout on every Linux architecture (unlike stat), so the mode is at a fixed offset.
            Span<byte> buffer = stackalloc byte[256];
            try
            {
                if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) == 0)
                    return Describe(BitConverter.ToUInt16(buffer[28..30]) & 0xF000);
            }
            catch (EntryPointNotFoundException) { } // a C library without statx: fall through to the size test
            catch (DllNotFoundException) { }
        }
        // Elsewhere: FIFOs, devices and sockets report a size of 0, which no format this library reads can have.
        return new FileInfo(path).Length == 0 ? "empty or special file (FIFO, device or socket)" : null;
    }

    private static string? Describe(int format) => format switch
    {
        0x8000 => null,
        0x1000 => "FIFO (named pipe)",
        0x2000 => "character device",
        0x6000 => "block device",
        0xC000 => "socket",
        0x4000 => "directory",
        _ => $"special file (mode type 0x{format:x4})",
    };

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x0001;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);
}
