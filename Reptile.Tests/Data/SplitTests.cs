using Reptile.Data;
using Reptile.Tests.Support;

namespace Reptile.Tests.Data;

public class SplitTests
{
    private static FewShotDataset Synthetic(int classes, int side = 28)
    {
        var list = new FewShotClass[classes];
        for (int c = 0; c < classes; c++)
        {
            var pixels = new byte[2 * side * side];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 7 + c) % 2);
            list[c] = new InMemoryClass($"c{c:D4}", side, side, pixels, 1f);
        }
        return new FewShotDataset(list, side, side);
    }

    [Fact]
    public void OmniglotSizedSplit()
    {
        var all = Synthetic(1623);
        var (train, test) = ClassSplit.Omniglot(all, seed: 0);
        Assert.Equal(4800, train.Classes.Count);
        Assert.Equal(423, test.Classes.Count);
        // Each training character appears with its four rotations in a row; no class is in both halves.
        var trainBase = new HashSet<string>();
        for (int i = 0; i < train.Classes.Count; i += 4)
        {
            var r = Enumerable.Range(0, 4).Select(k => (RotatedClass)train.Classes[i + k]).ToArray();
            Assert.Equal([0, 90, 180, 270], r.Select(x => x.Degrees));
            Assert.All(r, x => Assert.Same(r[0].Inner, x.Inner));
            trainBase.Add(r[0].Inner.Name);
        }
        Assert.Equal(1200, trainBase.Count);
        Assert.Empty(test.Classes.Where(c => trainBase.Contains(c.Name)));
        Assert.Equal(1623, trainBase.Count + test.Classes.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void DeterministicBySeed()
    {
        var all = Synthetic(50);
        string Key((FewShotDataset Train, FewShotDataset Test) s) => string.Join(",", s.Train.Classes.Concat(s.Test.Classes).Select(c => c.Name));
        Assert.Equal(Key(ClassSplit.Random(all, 7, 30, augmentRotations: true)), Key(ClassSplit.Random(all, 7, 30, augmentRotations: true)));
        Assert.NotEqual(Key(ClassSplit.Random(all, 7, 30, augmentRotations: true)), Key(ClassSplit.Random(all, 8, 30, augmentRotations: true)));
        // The order is Rng's Fisher–Yates shuffle of the class list.
        var expected = all.Classes.ToArray();
        new Rng(7).Shuffle<FewShotClass>(expected);
        var (_, test) = ClassSplit.Random(all, 7, 30, augmentRotations: true);
        Assert.Equal(expected[30..].Select(c => c.Name), test.Classes.Select(c => c.Name));
    }

    [Fact]
    public void WithoutAugmentation()
    {
        var (train, test) = ClassSplit.Random(Synthetic(10), 1, 6);
        Assert.Equal(6, train.Classes.Count);
        Assert.Equal(4, test.Classes.Count);
        Assert.All(train.Classes, c => Assert.IsType<InMemoryClass>(c));
    }

    [Fact]
    public void TooFewClasses()
    {
        var e = Throws.Naming<ArgumentException>("1200", () => ClassSplit.Omniglot(Synthetic(1200), 0));
        ClassSplit.Omniglot(Synthetic(1201), 0); // one test class is enough
    }

    [Fact]
    public void RotationMatchesPilCounterClockwise()
    {
        // 2×2 with distinct values laid out
        //   1 2        PIL's rotate(90) (counter-clockwise)   2 4
        //   3 4        gives                                  1 3
        var c = new InMemoryClass("a", 2, 2, [1, 2, 3, 4], 1f);
        float[] Rot(int deg) { var b = new float[4]; new RotatedClass(c, deg).CopyImage(0, b); return b; }
        Assert.Equal([1f, 2, 3, 4], Rot(0));
        Assert.Equal([2f, 4, 1, 3], Rot(90));
        Assert.Equal([4f, 3, 2, 1], Rot(180));
        Assert.Equal([3f, 1, 4, 2], Rot(270));
    }

    [Fact]
    public void RotationMovesPixelRcToWMinus1MinusCR()
    {
        const int n = 5;
        var rng = new Rng(11);
        var pixels = new byte[n * n];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)rng.NextInt(256);
        var c = new InMemoryClass("a", n, n, pixels, 1f);
        var out90 = new float[n * n];
        new RotatedClass(c, 90).CopyImage(0, out90);
        for (int r = 0; r < n; r++)
            for (int col = 0; col < n; col++)
                Assert.Equal(pixels[r * n + col], out90[(n - 1 - col) * n + r]);

        // Four quarter turns are the identity; 90 then 270 too.
        FewShotClass turned = c;
        for (int k = 0; k < 4; k++) turned = new RotatedClass(turned, 90);
        var back = new float[n * n];
        turned.CopyImage(0, back);
        Assert.Equal(pixels.Select(p => (float)p), back);
        new RotatedClass(new RotatedClass(c, 270), 90).CopyImage(0, back);
        Assert.Equal(pixels.Select(p => (float)p), back);
        var twice = new float[n * n];
        new RotatedClass(new RotatedClass(c, 90), 90).CopyImage(0, twice);
        var once180 = new float[n * n];
        new RotatedClass(c, 180).CopyImage(0, once180);
        Assert.Equal(once180, twice);
    }

    [Fact]
    public void RotationsNeedSquareImages()
    {
        var c = new InMemoryClass("a", 2, 3, new byte[6], 1f);
        Assert.Throws<ArgumentException>(() => new RotatedClass(c, 90));
        new RotatedClass(c, 180); // fine
        var ds = new FewShotDataset([c, c], 2, 3);
        Assert.Throws<ArgumentException>(() => ClassSplit.Random(ds, 0, 1, augmentRotations: true));
    }

    [Fact]
    public void CopyImageChecksArguments()
    {
        var c = new InMemoryClass("a", 2, 2, new byte[8], 1f);
        Assert.Equal(2, c.ImageCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => c.CopyImage(2, new float[4]));
        Assert.Throws<ArgumentException>(() => c.CopyImage(0, new float[3]));
        Assert.Throws<ArgumentException>(() => new FewShotDataset([c], 3, 3));
    }

    [SharedDataFact]
    public void LakesSplitTrainsOnTheBackgroundAlphabetsAndTestsOnTheEvaluationAlphabets()
    {
        var all = OmniglotDataset.Load(SharedData.OmniglotDir);
        var (train, test) = ClassSplit.OmniglotBackground(all);
        Assert.Equal(964 * 4, train.Classes.Count);
        Assert.Equal(659, test.Classes.Count);
        Assert.All(test.Classes, c => Assert.False(OmniglotDataset.IsBackground(c)));
        Assert.All(train.Classes, c => Assert.True(OmniglotDataset.IsBackground(c)));
        Assert.Equal(PixelEncoding.Binary, train.Encoding);
    }
}
