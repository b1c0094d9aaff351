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

    /// <summary>length == a·b, computed without overflow.</summary>
    public static void Product(int length, int a, int b, string name, string what)
    {
        if ((long)a * b != length)
            throw new ArgumentException($"{name} has length {length}, expected {(long)a * b} ({what}).", name);
    }
}
