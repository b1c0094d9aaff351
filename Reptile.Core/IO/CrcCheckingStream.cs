namespace Reptile.IO;

/// <summary>
/// Wraps a zip entry's stream and checks the CRC-32 the zip records once the last byte is read, because corrupt
/// deflate data can inflate "successfully" into wrong bytes.
/// </summary>
internal sealed class CrcCheckingStream(Stream inner, long length, uint expectedCrc, string sourceName) : Stream
{
    private long position;
    private uint crc;

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private void Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 && position < length)
            throw new InvalidDataException($"{sourceName}: zip entry ends after {position} of {length} bytes.");
        crc = Crc32.Update(crc, data);
        position += data.Length;
        if (position > length)
            throw new InvalidDataException($"{sourceName}: zip entry inflates to more than its recorded {length} bytes.");
        if (position == length && data.Length > 0 && crc != expectedCrc)
            throw new InvalidDataException($"{sourceName}: CRC-32 mismatch (data is corrupt): {crc:x8}, expected {expectedCrc:x8}.");
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
