using Reptile.Tests.IO;

namespace Reptile.Tests.Support;

/// <summary>Few-shot image folders (ROOT/classNN/NN.png) for tests of the image commands.</summary>
public static class ImageFolders
{
    /// <summary>Classes of <paramref name="size"/>² gray PNGs whose pattern (a bar at a class-specific position) tells
    /// them apart, in a new temporary folder.</summary>
    public static string Write(int classes, int images, int size = 20, int seed = 4)
    {
        var root = Directory.CreateTempSubdirectory("reptile-images-").FullName;
        var rng = new Random(seed);
        for (int c = 0; c < classes; c++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, $"class{c:D2}")).FullName;
            for (int i = 0; i < images; i++)
            {
                var samples = new int[size, size];
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        samples[y, x] = (y == c % size || x == c % size) ? 255 : rng.Next(60);
                File.WriteAllBytes(Path.Combine(dir, $"{i:D2}.png"), PngTestEncoder.Encode(size, size, 0, 8, PngTestEncoder.Pack(samples, 8)));
            }
        }
        return root;
    }
}
