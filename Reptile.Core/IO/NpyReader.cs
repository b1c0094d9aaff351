using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Reptile.IO;

/// <summary>Reads NumPy .npy files (format versions 1.0, 2.0 and 3.0), little-endian, C order.</summary>
public static class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"NumPy file not found: {path}", path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static NpyArray Read(Stream stream, string sourceName)
    {
        var header = ReadHeader(stream, sourceName);
        long bytes = header.ByteLength;
        if (bytes > Array.MaxLength)
            throw new InvalidDataException($"{sourceName}: array of {bytes} bytes is too large to load at once.");
        var data = new byte[bytes];
        ReadData(stream, data, sourceName, header);
        return new NpyArray(header.Shape, header.DType, data);
    }

    /// <summary>Reads and validates the header, leaving the stream at the first data byte (for streaming large arrays).</summary>
    public static NpyHeader ReadHeader(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, sourceName, "the .npy magic and version");
        if (!prefix[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{sourceName}: not a NumPy .npy file (bad magic bytes {Convert.ToHexString(prefix[..6])}).");
        byte major = prefix[6], minor = prefix[7];
        int headerLength;
        Encoding encoding;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len, sourceName, "the header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
            encoding = Encoding.Latin1;
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len, sourceName, "the header length");
            uint l = BinaryPrimitives.ReadUInt32LittleEndian(len);
            if (l > 1 << 24) throw new InvalidDataException($"{sourceName}: implausible .npy header length {l}.");
            headerLength = (int)l;
            encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        }
        else
        {
            throw new InvalidDataException($"{sourceName}: unsupported .npy format version {major}.{minor}.");
        }
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, sourceName, $"the {headerLength}-byte header");
        return ParseHeader(encoding.GetString(headerBytes), sourceName);
    }

    /// <summary>Fills <paramref name="buffer"/> from the stream, or throws naming the source if the data ends early.</summary>
    internal static void ReadData(Stream stream, Span<byte> buffer, string sourceName, NpyHeader header)
    {
        if (ReadFully(stream, buffer, sourceName) < buffer.Length)
            throw new InvalidDataException(
                $"{sourceName}: data is truncated: shape ({string.Join(", ", header.Shape)}) of {header.DType} needs {header.ByteLength} bytes, the file ends early.");
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string sourceName, string what)
    {
        if (ReadFully(stream, buffer, sourceName) < buffer.Length)
            throw new InvalidDataException($"{sourceName}: file is truncated (ended while reading {what}).");
    }

    /// <summary>Reads until the buffer is full or the stream ends; returns the bytes read. A deflate error
    /// becomes an error naming the source.</summary>
    private static int ReadFully(Stream stream, Span<byte> buffer, string sourceName)
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
            throw new InvalidDataException($"{sourceName}: compressed data is corrupt: {e.Message}", e);
        }
        return total;
    }

    private static NpyHeader ParseHeader(string text, string sourceName)
    {
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        var p = new Parser(text, sourceName);
        p.Expect('{');
        while (true)
        {
            p.SkipSpace();
            if (p.TryConsume('}')) break;
            string key = p.ReadString();
            p.Expect(':');
            switch (key)
            {
                case "descr": descr = p.ReadString(); break;
                case "fortran_order": fortran = p.ReadBool(); break;
                case "shape": shape = p.ReadTuple(); break;
                default: throw p.Error($"unexpected key '{key}'");
            }
            p.SkipSpace();
            if (p.TryConsume(',')) continue;
            p.Expect('}');
            break;
        }
        if (descr == null || fortran == null || shape == null)
            throw new InvalidDataException($"{sourceName}: .npy header lacks {(descr == null ? "'descr'" : fortran == null ? "'fortran_order'" : "'shape'")}: {text.Trim()}");
        if (fortran.Value)
            throw new InvalidDataException($"{sourceName}: Fortran-order arrays are not supported (fortran_order is True); save with C order.");
        if (descr.Length > 0 && descr[0] == '>')
            throw new InvalidDataException($"{sourceName}: big-endian dtype '{descr}' is not supported; save as little-endian.");
        if (descr.Length == 0 || (descr[0] != '<' && descr[0] != '|'))
            throw new InvalidDataException($"{sourceName}: unsupported dtype '{descr}' (supported: <f4, <f8, <i4, <i8, |b1, |u1).");
        if (NpyArray.Kind(descr) is not ("f4" or "f8" or "i4" or "i8" or "b1" or "u1"))
            throw new InvalidDataException($"{sourceName}: unsupported dtype '{descr}' (supported: <f4, <f8, <i4, <i8, |b1, |u1).");
        var header = new NpyHeader(descr, false, shape);
        try { _ = header.ByteLength; }
        catch (OverflowException) { throw new InvalidDataException($"{sourceName}: shape ({string.Join(", ", shape)}) is too large."); }
        return header;
    }

    /// <summary>A parser for the small subset of Python literals NumPy writes in headers.</summary>
    private ref struct Parser(string text, string sourceName)
    {
        private int pos;

        public void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        }

        public bool TryConsume(char c)
        {
            SkipSpace();
            if (pos < text.Length && text[pos] == c) { pos++; return true; }
            return false;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c)) throw Error($"expected '{c}'");
        }

        public string ReadString()
        {
            SkipSpace();
            if (pos >= text.Length || (text[pos] != '\'' && text[pos] != '"')) throw Error("expected a quoted string");
            char quote = text[pos++];
            int start = pos;
            while (pos < text.Length && text[pos] != quote) pos++;
            if (pos >= text.Length) throw Error("unterminated string");
            return text[start..pos++];
        }

        public bool ReadBool()
        {
            SkipSpace();
            if (string.CompareOrdinal(text, pos, "True", 0, 4) == 0) { pos += 4; return true; }
            if (string.CompareOrdinal(text, pos, "False", 0, 5) == 0) { pos += 5; return false; }
            throw Error("expected True or False");
        }

        public int[] ReadTuple()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                if (TryConsume(')')) break;
                SkipSpace();
                int start = pos;
                while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
                // Python 2 era files may write longs as "3L".
                if (!int.TryParse(text.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                    throw Error("expected a non-negative integer dimension");
                if (pos < text.Length && text[pos] == 'L') pos++;
                dims.Add(d);
                if (TryConsume(',')) continue;
                Expect(')');
                break;
            }
            return dims.ToArray();
        }

        public readonly InvalidDataException Error(string what) =>
            new($"{sourceName}: cannot parse .npy header ({what} at offset {pos}): {text.Trim()}");
    }
}
