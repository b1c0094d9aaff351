using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Reptile.Autograd;

/// <summary>
/// Pinned float buffers used from their first 64-byte boundary, so rows of 16·k floats start on cache lines: vector
/// rows never straddle two, and channel panels written by different threads never share one.
/// </summary>
internal static unsafe class PinnedBuffer
{
    /// <summary>Replaces <paramref name="buffer"/> by a pinned one when it cannot hold <paramref name="length"/>
    /// aligned values.</summary>
    public static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length + 16) buffer = Allocate(length);
    }

    /// <summary>A pinned buffer with room for <paramref name="length"/> values after its alignment skip.</summary>
    public static float[] Allocate(int length) => GC.AllocateArray<float>(length + 16, pinned: true);

    /// <summary>How many floats precede the first 64-byte boundary of a pinned buffer.</summary>
    public static int Skip(float[] buffer)
    {
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return Math.Min((int)((64 - (address & 63)) & 63) / sizeof(float), buffer.Length);
    }

    /// <summary>The buffer from its first 64-byte boundary (an unused, empty buffer gives an empty span).</summary>
    public static Span<float> Aligned(float[] buffer) => buffer.AsSpan(Skip(buffer));
}
