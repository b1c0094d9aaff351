namespace Reptile.Data;

/// <summary>Splits a dataset's classes into meta-training and held-out test classes.</summary>
public static class ClassSplit
{
    /// <summary>Shuffles the classes by <paramref name="seed"/> and takes the first <paramref name="trainClasses"/> for
    /// training (each also rotated by 90°, 180° and 270° when <paramref name="augmentRotations"/>, as supervised-reptile
    /// augments Omniglot), the rest for testing.</summary>
    public static (FewShotDataset Train, FewShotDataset Test) Random(FewShotDataset all, int seed, int trainClasses, bool augmentRotations = false)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainClasses);
        if (all.Classes.Count < trainClasses + 1)
            throw new ArgumentException(
                $"Splitting needs more than {trainClasses} classes ({trainClasses} for training and at least one for testing); the dataset has {all.Classes.Count}.",
                nameof(all));
        var order = all.Classes.ToArray();
        new Rng((ulong)seed).Shuffle<FewShotClass>(order);
        return Make(all, order[..trainClasses], order[trainClasses..], augmentRotations);
    }

    /// <summary>Training classes are those <paramref name="isTraining"/> picks (in dataset order), test classes the others.</summary>
    public static (FewShotDataset Train, FewShotDataset Test) By(FewShotDataset all, Func<FewShotClass, bool> isTraining, bool augmentRotations = false)
    {
        ArgumentNullException.ThrowIfNull(all);
        var train = all.Classes.Where(isTraining).ToArray();
        var test = all.Classes.Where(c => !isTraining(c)).ToArray();
        if (train.Length == 0 || test.Length == 0)
            throw new ArgumentException($"The split leaves {train.Length} training and {test.Length} test classes; both need at least one.", nameof(isTraining));
        return Make(all, train, test, augmentRotations);
    }

    /// <summary>supervised-reptile's Omniglot split: 1200 characters shuffled by seed for training (×4 rotations), the
    /// other 423 for testing.</summary>
    public static (FewShotDataset Train, FewShotDataset Test) Omniglot(FewShotDataset all, int seed) => Random(all, seed, 1200, augmentRotations: true);

    /// <summary>Lake et al.'s Omniglot split: the 30 background alphabets for training (×4 rotations), the 20 evaluation
    /// alphabets for testing.</summary>
    public static (FewShotDataset Train, FewShotDataset Test) OmniglotBackground(FewShotDataset all) =>
        By(all, OmniglotDataset.IsBackground, augmentRotations: true);

    private static (FewShotDataset, FewShotDataset) Make(FewShotDataset all, FewShotClass[] train, FewShotClass[] test, bool augmentRotations)
    {
        if (augmentRotations && all.Height != all.Width)
            throw new ArgumentException($"Rotation augmentation needs square images; the dataset is {all.Height}x{all.Width}.", nameof(augmentRotations));
        var trainClasses = augmentRotations
            ? train.SelectMany(c => new[] { 0, 90, 180, 270 }.Select(d => (FewShotClass)new RotatedClass(c, d))).ToArray()
            : train;
        return (new FewShotDataset(trainClasses, all.Channels, all.Height, all.Width, all.Encoding), new FewShotDataset(test, all.Channels, all.Height, all.Width, all.Encoding));
    }
}
