namespace Reptile.Data;

/// <summary>The supervised-reptile split: shuffle classes by seed, first <c>trainClasses</c> for training (×4 rotations), the rest for testing.</summary>
public static class OmniglotSplit
{
    public static (FewShotDataset Train, FewShotDataset Test) Create(FewShotDataset all, int seed, int trainClasses = 1200, bool augmentRotations = true)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainClasses);
        if (all.Classes.Count < trainClasses + 1)
            throw new ArgumentException(
                $"Splitting needs more than {trainClasses} classes ({trainClasses} for training and at least one for testing); the dataset has {all.Classes.Count}.",
                nameof(all));
        if (augmentRotations && all.Height != all.Width)
            throw new ArgumentException($"Rotation augmentation needs square images; the dataset is {all.Height}x{all.Width}.", nameof(all));

        var order = all.Classes.ToArray();
        new Rng((ulong)seed).Shuffle<FewShotClass>(order);

        var train = new List<FewShotClass>(augmentRotations ? 4 * trainClasses : trainClasses);
        for (int i = 0; i < trainClasses; i++)
        {
            if (!augmentRotations) { train.Add(order[i]); continue; }
            foreach (var degrees in (ReadOnlySpan<int>)[0, 90, 180, 270]) train.Add(new RotatedClass(order[i], degrees));
        }
        var test = order[trainClasses..];
        return (new FewShotDataset(train, all.Height, all.Width), new FewShotDataset(test, all.Height, all.Width));
    }
}
