namespace Reptile.IO;

/// <summary>
/// Wraps a zip entry's stream: stops it at the length the zip records (so inflation cannot run past what was
/// checked against the limits), turns deflate errors into <see cref="InvalidFileException"/>, and checks the
/// CRC-32 the zip records once the last byte is read, because corrupt deflate data can inflate "successfully" into wrong bytes.
/// </summary>
internal sealed class CrcCheckingStream(Stream inner, long length, uint expectedCrc, FileSource source) : Stream
{
    private long position;
    private uint crc;

    public override int Read(Span<byte> buffer)
    {
        // Ask for at most one byte past the recorded end: enough to notice an entry that inflates further.
        if (buffer.Length > length - position + 1) buffer = buffer[..(int)(length - position + 1)];
        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw source.Invalid("compressed data", $"cannot inflate: {e.Message}", e);
        }
        Account(buffer[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private void Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 && position < length)
            throw source.Invalid("entry data", $"ends after {position} of the {length} bytes the zip directory records.");
        crc = Crc32.Update(crc, data);
        position += data.Length;
        if (position > length)
            throw source.Invalid("entry data", $"inflates to more than the {length} bytes the zip directory records.");
        if (position == length && data.Length > 0 && crc != expectedCrc)
            throw source.Invalid("CRC-32", $"mismatch (data is corrupt): {crc:x8}, expected {expectedCrc:x8}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
