using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

public class FewShotSamplingTests
{
    [Fact]
    public void TaskHasDistinctClassesAndImagesWithGroupedLabels() => Property.ForAll(rng =>
    {
        var data = SyntheticData.Dataset(classes: 12, images: 6, size: 4, seed: 5);
        int ways = rng.Pick(2, 3, 5), shots = rng.Pick(1, 2, 6);
        var task = new FewShotTask();
        task.Sample(data, ways, shots, rng, new int[12], new int[6]);
        Assert.Equal(ways * shots, task.Count);
        var seen = new HashSet<string>();
        var image = new float[16];
        for (int s = 0; s < task.Count; s++)
        {
            Assert.Equal(s / shots, task.Label(s));
            // Each sample equals some image of the dataset, never the same one twice.
            var key = string.Join(",", task.Image(s).ToArray());
            Assert.True(seen.Add(key), "an image was drawn twice");
            bool found = data.Classes.Any(c => Enumerable.Range(0, c.ImageCount).Any(i => { c.CopyImage(i, image); return image.SequenceEqual(task.Image(s).ToArray()); }));
            Assert.True(found);
        }
    }, runs: 30);

    [Fact]
    public void TooFewImagesPerClassIsAClearError()
    {
        var data = SyntheticData.Dataset(classes: 5, images: 3, size: 4, seed: 1);
        Throws.Naming<InvalidOperationException>("has 3 images", () => new FewShotTask().Sample(data, 5, 4, new Rng(1), new int[5], new int[3]));
    }

    [Fact]
    public void BatchesWithoutReplacementCycleThroughReshuffledPool() => Property.ForAll(rng =>
    {
        int poolSize = rng.Pick(3, 7, 10), batch = rng.Pick(1, 2, 3, 4);
        var pool = Enumerable.Range(100, poolSize).ToArray();
        var batcher = new MiniBatcher(replacement: false);
        batcher.Reset(pool);
        var drawn = new List<int>();
        var b = new int[batch];
        for (int i = 0; i < 3 * poolSize; i++) { batcher.Next(b, rng); drawn.AddRange(b); }
        // Every consecutive pool-sized window aligned to a reshuffle is a permutation of the pool.
        for (int start = 0; start + poolSize <= drawn.Count; start += poolSize)
            Assert.Equal(pool, drawn.Skip(start).Take(poolSize).Order());
    });

    [Fact]
    public void BatchesWithReplacementAreDistinctSubsets() => Property.ForAll(rng =>
    {
        var pool = Enumerable.Range(0, 9).ToArray();
        var batcher = new MiniBatcher(replacement: true);
        batcher.Reset(pool);
        var b = new int[5];
        for (int i = 0; i < 10; i++)
        {
            batcher.Next(b, rng);
            Assert.Equal(5, b.Distinct().Count());
            Assert.All(b, v => Assert.InRange(v, 0, 8));
        }
    });
}
