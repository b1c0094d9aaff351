using Reptile.Data;

namespace Reptile.Tests.Support;

/// <summary>Small random image datasets, for tests that need a few-shot dataset but not Omniglot itself.</summary>
public static class SyntheticData
{
    /// <summary><paramref name="classes"/> classes of <paramref name="images"/> binary size×size images each.</summary>
    public static FewShotDataset Dataset(int classes, int images, int size, ulong seed, string prefix = "class")
    {
        var rng = new Rng(seed);
        var list = new List<FewShotClass>();
        for (int c = 0; c < classes; c++)
        {
            var pixels = new byte[images * size * size];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(rng.NextDouble() < 0.3 ? 1 : 0);
            list.Add(new InMemoryClass($"{prefix}{c}", size, size, pixels, 1f));
        }
        return new FewShotDataset(list, size, size);
    }
}
