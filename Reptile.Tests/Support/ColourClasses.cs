using Reptile.Tests.IO;
using StbImageWriteSharp;

namespace Reptile.Tests.Support;

/// <summary>
/// Generated colour few-shot classes where colour is what tells them apart: every image is a bar (horizontal or
/// vertical, at a random place, 4–7 pixels thick) on a random background colour with noise; a class is the colour
/// of its bar. Images are interleaved RGB.
/// </summary>
public static class ColourClasses
{
    /// <summary><paramref name="classes"/> × <paramref name="images"/> images of <paramref name="size"/>², [class][image].</summary>
    public static byte[][][] Generate(int classes, int images, int size, int seed)
    {
        var rng = new Random(seed);
        var result = new byte[classes][][];
        for (int c = 0; c < classes; c++)
        {
            // Saturated class colours, spread over the hue circle so classes stay distinguishable.
            double hue = (c * 0.618034 % 1.0) * 6;
            var bar = Hue(hue, 0.55 + 0.45 * rng.NextDouble());
            result[c] = new byte[images][];
            for (int i = 0; i < images; i++)
            {
                var pixels = new byte[size * size * 3];
                var background = new[] { rng.Next(256), rng.Next(256), rng.Next(256) };
                bool horizontal = rng.Next(2) == 0;
                int thickness = 4 + rng.Next(4), at = rng.Next(size - thickness);
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int along = horizontal ? y : x;
                        bool onBar = along >= at && along < at + thickness;
                        for (int k = 0; k < 3; k++)
                            pixels[(y * size + x) * 3 + k] = (byte)Math.Clamp((onBar ? bar[k] : background[k]) + rng.Next(-12, 13), 0, 255);
                    }
                result[c][i] = pixels;
            }
        }
        return result;
    }

    private static int[] Hue(double h, double value)
    {
        double f = h - Math.Floor(h), v = 255 * value, p = 0, q = v * (1 - f), t = v * f;
        var (r, g, b) = ((int)h % 6) switch { 0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t), 3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q) };
        return [(int)r, (int)g, (int)b];
    }

    /// <summary>The classes as <c>root/classNN/NN.jpg</c> (or .png) in a new temporary folder.</summary>
    public static string Write(int classes, int images, int size, int seed, bool jpeg)
    {
        var root = Directory.CreateTempSubdirectory("reptile-colour-").FullName;
        var all = Generate(classes, images, size, seed);
        for (int c = 0; c < classes; c++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, $"class{c:D2}")).FullName;
            for (int i = 0; i < images; i++)
            {
                var path = Path.Combine(dir, $"{i:D2}{(jpeg ? ".jpg" : ".png")}");
                if (jpeg)
                {
                    using var file = File.Create(path);
                    new ImageWriter().WriteJpg(all[c][i], size, size, ColorComponents.RedGreenBlue, file, 95);
                }
                else
                {
                    var rows = Enumerable.Range(0, size).Select(r => all[c][i].AsSpan(r * size * 3, size * 3).ToArray()).ToArray();
                    File.WriteAllBytes(path, PngTestEncoder.Encode(size, size, 2, 8, rows));
                }
            }
        }
        return root;
    }
}
