namespace Reptile.IO;

/// <summary>Reads from untrusted streams so that a length read from a header never decides an allocation alone:
/// the bytes actually left must cover it (when the stream knows them), or the buffer grows only as bytes arrive.</summary>
internal static class StreamReading
{
    /// <summary>Deflate's best ratio is about 1032:1: compressed data claiming to inflate to more than this times its
    /// size (plus a little) lies, and the claim is refused before anything is allocated for it.</summary>
    public const long MaxDeflateRatio = 1032;

    /// <summary>Bytes left in <paramref name="stream"/>, or null when it cannot tell (a non-seekable stream).</summary>
    public static long? Remaining(Stream stream) => stream switch
    {
        CrcCheckingStream entry => entry.Length - entry.Position,
        { CanSeek: true } => Math.Max(0, stream.Length - stream.Position),
        _ => null,
    };

    /// <summary>Fills <paramref name="buffer"/> or throws naming <paramref name="field"/> as truncated.</summary>
    public static void ReadExactly(Stream stream, Span<byte> buffer, FileSource source, string field)
    {
        int got = ReadFully(stream, buffer, source, field);
        if (got < buffer.Length)
            throw source.Invalid(field, $"the file ends after {got} of the {buffer.Length} bytes it needs (truncated).");
    }

    /// <summary>Reads <paramref name="count"/> bytes into a new array, checking them against the bytes left first.</summary>
    public static byte[] ReadBytes(Stream stream, long count, FileSource source, string field)
    {
        if (count < 0 || count > Array.MaxLength) throw source.Invalid(field, $"claims {count} bytes, more than one array can hold.");
        var remaining = Remaining(stream);
        if (remaining is long left && left < count)
            throw source.Invalid(field, $"claims {count} bytes but only {left} remain in the file (truncated or corrupt).");
        if (remaining != null)
        {
            var exact = new byte[count];
            ReadExactly(stream, exact, source, field);
            return exact;
        }
        // Length unknown: grow with what arrives, so a false claim costs at most twice the bytes really present.
        var buffer = new byte[Math.Min(count, 1 << 16)];
        int total = 0;
        while (total < count)
        {
            if (total == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(count, 2L * buffer.Length));
            int want = buffer.Length - total;
            int n = ReadFully(stream, buffer.AsSpan(total), source, field);
            total += n;
            if (n < want) throw source.Invalid(field, $"the file ends after {total} of the {count} bytes it claims (truncated).");
        }
        return buffer;
    }

    /// <summary>Reads until the buffer is full or the stream ends; returns the bytes read. A decompressing stream's
    /// error (the caller's GZipStream, say) becomes an error about <paramref name="field"/> of the source.</summary>
    public static int ReadFully(Stream stream, Span<byte> buffer, FileSource source, string field)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = stream.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw source.Invalid(field, $"cannot decompress: {e.Message}", e);
        }
        return total;
    }
}
