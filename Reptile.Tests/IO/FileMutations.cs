using System.Buffers.Binary;
using Reptile.IO;
using Xunit.Abstractions;

namespace Reptile.Tests.IO;

/// <summary>
/// Mutated copies of a small valid file, and the property every reader must keep on them: the file parses, or an
/// <see cref="InvalidFileException"/> naming the file (in one printable line) is thrown; never another exception; and no case
/// allocates more than <see cref="MaxBytesPerCase"/>.
/// </summary>
internal static class FileMutations
{
    /// <summary>The allocation bound per case (all inputs are far under 1 MiB).</summary>
    public const long MaxBytesPerCase = 256L << 20;

    // Cases per suite in CI (truncations at every offset, then seeded random edits up to the count).
    public const int PngDecoderCases = 20_000;
    public const int NpyReaderCases = 15_000;
    public const int NpzArchiveCases = 3_500;
    public const int SafeTensorsCases = 4_000;
    public const int OmniglotZipCases = 1_000;
    public const int OmniglotNpzCases = 1_000;

    /// <summary>All mutation cases the suites run: 44 500 (docs/reliability.md quotes this).</summary>
    public const int TotalCases = PngDecoderCases + NpyReaderCases + NpzArchiveCases + SafeTensorsCases + OmniglotZipCases + OmniglotNpzCases;

    /// <summary>Values that sit on the boundaries of size arithmetic.</summary>
    private static readonly uint[] BoundaryValues = [0, 1, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x0D000001, 46341];

    /// <summary><paramref name="total"/> cases: <paramref name="valid"/> cut at every offset, then random edits of 1–4
    /// bytes or 32-bit words (seeded, so a failure reproduces). <paramref name="repair"/>, when given, is applied to
    /// every other edited copy (e.g. to fix checksums so the edit reaches the checks behind them).</summary>
    public static IEnumerable<(string Label, byte[] Bytes)> Cases(byte[] valid, int total, int seed, Func<byte[], byte[]>? repair = null)
    {
        if (valid.Length >= total) throw new ArgumentException($"{total} cases cannot hold the {valid.Length} truncations.");
        for (int length = 0; length < valid.Length; length++) yield return ($"truncated to {length} bytes", valid[..length]);
        var random = new Random(seed);
        for (int k = 0; k < total - valid.Length; k++)
        {
            var mutant = (byte[])valid.Clone();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(mutant.Length);
                switch (random.Next(4))
                {
                    case 0: mutant[at] ^= (byte)(1 << random.Next(8)); break;
                    case 1: mutant[at] = (byte)random.Next(256); break;
                    case 2: mutant[at] = random.Next(2) == 0 ? (byte)0 : (byte)0xFF; break;
                    default:
                        var word = mutant.AsSpan(Math.Min(at, mutant.Length - 4), 4);
                        uint value = BoundaryValues[random.Next(BoundaryValues.Length)];
                        if (random.Next(2) == 0) BinaryPrimitives.WriteUInt32BigEndian(word, value);
                        else BinaryPrimitives.WriteUInt32LittleEndian(word, value);
                        break;
                }
            }
            if (repair != null && k % 2 == 0) mutant = repair(mutant);
            yield return ($"seed {seed}, mutant {k}", mutant);
        }
    }

    /// <summary>Runs <paramref name="total"/> <see cref="Cases"/> of <paramref name="valid"/> through <paramref name="read"/>,
    /// prints the report as <paramref name="suite"/>, and asserts that every case ran and that some parsed and some were
    /// refused (a suite where all parse, or all are refused, does not reach the checks behind the first one).</summary>
    public static void Check(string suite, ITestOutputHelper output, byte[] valid, int total, int seed, string expectedPath,
        Action<byte[]> read, Func<byte[], byte[]>? repair = null)
    {
        var report = Run(Cases(valid, total, seed, repair), expectedPath, read);
        output.WriteLine($"{suite}: {report}");
        Assert.Equal(total, report.Cases);
        Assert.True(report.Parsed > 0 && report.Rejected > 0, report.ToString());
    }

    /// <summary>Runs <paramref name="read"/> on every case on this thread, failing on the first case that breaks the property.</summary>
    private static MutationReport Run(IEnumerable<(string Label, byte[] Bytes)> cases, string expectedPath, Action<byte[]> read)
    {
        int count = 0, parsed = 0, rejected = 0;
        long max = 0;
        foreach (var (label, bytes) in cases)
        {
            count++;
            long before = GC.GetAllocatedBytesForCurrentThread();
            Exception? thrown = null;
            try { read(bytes); }
            catch (Exception e) { thrown = e; }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            max = Math.Max(max, allocated);
            if (thrown == null) parsed++;
            else if (thrown is InvalidFileException f && f.FilePath == expectedPath && f.Message.Contains(expectedPath) && !f.Message.Any(char.IsControl)) rejected++;
            else Assert.Fail($"{label}: {thrown.GetType().FullName}: {thrown.Message}\ninput: {Convert.ToHexString(bytes)}\n{thrown.StackTrace}");
            if (allocated > MaxBytesPerCase)
                Assert.Fail($"{label}: allocated {allocated} bytes for a {bytes.Length}-byte input.\ninput: {Convert.ToHexString(bytes)}");
        }
        return new MutationReport(count, parsed, rejected, max);
    }

    /// <summary>Asserts that <paramref name="read"/> refuses its input with an <see cref="InvalidFileException"/> for
    /// <paramref name="expectedPath"/> and <paramref name="field"/>, allocating at most <see cref="MaxBytesPerCase"/>.</summary>
    public static InvalidFileException Refused(string expectedPath, string field, Action read, string? entry = null)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidFileException>(read);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= MaxBytesPerCase, $"allocated {allocated} bytes before refusing");
        Assert.Equal(expectedPath, e.FilePath);
        Assert.Equal(field, e.Field);
        if (entry != null) Assert.Equal(entry, e.Entry);
        Assert.Contains(expectedPath, e.Message);
        Assert.DoesNotContain(e.Message, char.IsControl);
        return e;
    }
}
