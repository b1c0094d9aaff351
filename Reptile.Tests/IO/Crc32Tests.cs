using Reptile.IO;

namespace Reptile.Tests.IO;

public class Crc32Tests
{
    [Fact]
    public void SlicedMatchesBitwiseForAllLengthsAndSplits()
    {
        static uint Bitwise(ReadOnlySpan<byte> d)
        {
            uint c = ~0u;
            foreach (var b in d) { c ^= b; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1; }
            return ~c;
        }
        var rng = new Rng(1);
        var data = new byte[300];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)rng.NextInt(256);
        for (int n = 0; n <= data.Length; n++)
        {
            Assert.Equal(Bitwise(data.AsSpan(0, n)), Crc32.Compute(data.AsSpan(0, n)));
            Assert.Equal(Bitwise(data.AsSpan(0, n)), Crc32.Update(Crc32.Compute(data.AsSpan(0, n / 3)), data.AsSpan(n / 3, n - n / 3)));
        }
    }
}
