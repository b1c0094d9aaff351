namespace Reptile.Kernels;

/// <summary>Cheap shape checks shared by the kernels; messages name the sizes that disagree.</summary>
internal static class Guard
{
    public static void SameLength(int expected, int actual, string name, string what)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has length {actual}, expected {expected} ({what}).", name);
    }

    public static void NonNegative(int value, string name)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(name, value, "must not be negative");
    }

    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, "must be positive");
    }

    /// <summary>length == a·b, computed without overflow. The message is only formatted on failure: these
    /// checks run on every kernel call of a training step, which must not allocate.</summary>
    public static void Product(int length, int a, string aName, int b, string bName, string name)
    {
        if ((long)a * b != length)
            throw new ArgumentException($"{name} has length {length}, expected {(long)a * b} ({aName} {a} × {bName} {b}).", name);
    }
}
