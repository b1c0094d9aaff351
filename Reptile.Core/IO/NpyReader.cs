using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Reptile.IO;

/// <summary>
/// Reads NumPy .npy files (format versions 1.0, 2.0 and 3.0), little-endian, C order. Files are untrusted: a bad
/// one throws <see cref="InvalidFileException"/>, and nothing is allocated that the bytes present do not justify.
/// </summary>
public static class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>NumPy allows at most 64 dimensions.</summary>
    private const int MaxDimensions = 64;

    /// <summary>Longest header accepted (NumPy writes a few hundred bytes; format 2.0 allows 4 GiB).</summary>
    private const int MaxHeaderBytes = 1 << 20;

    /// <summary>Reads a whole .npy file.</summary>
    /// <exception cref="InvalidFileException">The content is not a supported .npy array, or exceeds <paramref name="limits"/>.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static NpyArray ReadFile(string path, ReadLimits? limits = null)
    {
        using var stream = UntrustedFile.OpenRead(path, "NumPy file");
        return Read(stream, new FileSource(path), ReadLimits.Or(limits));
    }

    /// <summary>Reads a whole array from <paramref name="stream"/>; <paramref name="sourceName"/> names it in errors.
    /// The data must end exactly where the stream does when the stream knows its length.</summary>
    /// <exception cref="InvalidFileException">The content is not a supported .npy array, or exceeds <paramref name="limits"/>.</exception>
    public static NpyArray Read(Stream stream, string sourceName, ReadLimits? limits = null) =>
        Read(stream, new FileSource(sourceName), ReadLimits.Or(limits));

    internal static NpyArray Read(Stream stream, FileSource source, ReadLimits limits)
    {
        var header = ReadHeader(stream, source);
        long bytes = header.ByteLength;
        if (bytes > limits.MaxTensorBytes)
            throw source.Invalid("shape", $"{ShapeSize.Format(header.Shape)} of {header.DType} is {bytes} bytes, over the {limits.MaxTensorBytes}-byte limit (ReadLimits.MaxTensorBytes).");
        RequireDataLength(stream, source, header);
        var data = StreamReading.ReadBytes(stream, bytes, source, "data");
        return new NpyArray(header.Shape, header.DType, data);
    }

    /// <summary>Reads and validates the header, leaving the stream at the first data byte (for streaming large arrays).</summary>
    /// <exception cref="InvalidFileException">The header is not a supported .npy header.</exception>
    public static NpyHeader ReadHeader(Stream stream, string sourceName) => ReadHeader(stream, new FileSource(sourceName));

    internal static NpyHeader ReadHeader(Stream stream, FileSource source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[8];
        StreamReading.ReadExactly(stream, prefix, source, "magic");
        if (!prefix[..6].SequenceEqual(Magic))
            throw source.Invalid("magic", $"not a NumPy .npy file (bad magic bytes {Convert.ToHexString(prefix[..6])}).");
        byte major = prefix[6], minor = prefix[7];
        long headerLength;
        Encoding encoding;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            StreamReading.ReadExactly(stream, len, source, "header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
            encoding = Encoding.Latin1;
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            StreamReading.ReadExactly(stream, len, source, "header length");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(len);
            if (headerLength > MaxHeaderBytes) throw source.Invalid("header length", $"{headerLength} bytes is implausible (at most {MaxHeaderBytes}).");
            encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        }
        else
        {
            throw source.Invalid("version", $"unsupported .npy format version {major}.{minor}.");
        }
        var headerBytes = StreamReading.ReadBytes(stream, headerLength, source, "header");
        return ParseHeader(encoding.GetString(headerBytes), source);
    }

    /// <summary>Refuses a header whose data would not end exactly where the stream does (when the stream knows where).</summary>
    internal static void RequireDataLength(Stream stream, FileSource source, NpyHeader header)
    {
        long bytes = header.ByteLength;
        if (StreamReading.Remaining(stream) is long left && left != bytes)
            throw source.Invalid("shape", $"{ShapeSize.Format(header.Shape)} of {header.DType} needs {bytes} data bytes but the file holds {left} after the header ({(left < bytes ? "truncated" : "extra bytes at the end")}).");
    }

    /// <summary>Fills <paramref name="buffer"/> from the stream, or throws naming the source if the data ends early.</summary>
    internal static void ReadData(Stream stream, Span<byte> buffer, FileSource source) =>
        StreamReading.ReadExactly(stream, buffer, source, "data");

    private static NpyHeader ParseHeader(string text, FileSource source)
    {
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        var p = new Parser(text, source);
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
            throw source.Invalid("header", $"lacks {(descr == null ? "'descr'" : fortran == null ? "'fortran_order'" : "'shape'")}: {Excerpt(text)}");
        if (fortran.Value)
            throw source.Invalid("fortran_order", "Fortran-order arrays are not supported (fortran_order is True); save with C order.");
        if (descr.Length > 0 && descr[0] == '>')
            throw source.Invalid("descr", $"big-endian dtype '{descr}' is not supported; save as little-endian.");
        if (NpyDType.Find(descr) == null)
            throw source.Invalid("descr", $"unsupported dtype '{descr}' (supported: {NpyDType.Supported}).");
        if (!ShapeSize.TryProduct(shape, NpyDType.Find(descr)!.Size, out _))
            throw source.Invalid("shape", $"{ShapeSize.Format(shape)} is too large.");
        return new NpyHeader(descr, false, shape);
    }

    /// <summary>The start of a header for messages: a corrupt one may be a megabyte of noise.</summary>
    private static string Excerpt(string text)
    {
        var t = text.Trim();
        return t.Length <= 200 ? t : t[..200] + "…";
    }

    /// <summary>A parser for the small subset of Python literals NumPy writes in headers.</summary>
    private ref struct Parser(string text, FileSource source)
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
                if (dims.Count > MaxDimensions) throw Error($"more than {MaxDimensions} dimensions");
                if (TryConsume(',')) continue;
                Expect(')');
                break;
            }
            return dims.ToArray();
        }

        public readonly InvalidFileException Error(string what) =>
            source.Invalid("header", $"cannot parse ({what} at offset {pos}): {Excerpt(text)}");

    }
}
