namespace FewShotApp;

/// <summary>
/// One made-up class of small gray images: a pattern family (stripes at an angle, rings, a checkerboard or a spot)
/// with fixed parameters. Its images differ by phase, position and noise, as photos of one object differ, so a model
/// has to learn the family, not memorise pixels.
/// </summary>
public sealed record Pattern(string Name, PatternKind Kind, double Angle, double Period)
{
    /// <summary>A random pattern drawn from <paramref name="random"/>, named <paramref name="name"/>.</summary>
    public static Pattern Random(string name, Random random)
    {
        var kind = (PatternKind)random.Next(4);
        double angle = random.NextDouble() * Math.PI;          // radians; stripes repeat after π
        double period = 3 + random.NextDouble() * 6;            // pixels per cycle (or spot radius)
        return new Pattern(name, kind, angle, period);
    }

    /// <summary>One image of this pattern: <paramref name="size"/>² gray bytes, row-major.</summary>
    public byte[] Draw(int size, Random random)
    {
        var pixels = new byte[size * size];
        double phase = random.NextDouble() * 2 * Math.PI;
        double cx = size / 2.0 + (random.NextDouble() - 0.5) * size / 3;
        double cy = size / 2.0 + (random.NextDouble() - 0.5) * size / 3;
        double cos = Math.Cos(Angle), sin = Math.Sin(Angle);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double dx = x - cx, dy = y - cy;
                double value = Kind switch
                {
                    PatternKind.Stripes => Math.Sin(2 * Math.PI * (dx * cos + dy * sin) / Period + phase),
                    PatternKind.Rings => Math.Sin(2 * Math.PI * Math.Sqrt(dx * dx + dy * dy) / Period + phase),
                    PatternKind.Checker => Math.Sign(Math.Sin(Math.PI * (dx * cos + dy * sin) / Period + phase)
                                                    * Math.Sin(Math.PI * (dy * cos - dx * sin) / Period)),
                    _ => 2 * Math.Exp(-(dx * dx + dy * dy) / (2 * Period * Period / 4)) - 1,
                };
                double noise = (random.NextDouble() - 0.5) * 0.4;
                pixels[y * size + x] = (byte)Math.Clamp(Math.Round((value + noise + 1) * 127.5), 0, 255);
            }
        return pixels;
    }
}
