using Reptile.Data;

namespace Reptile.Meta;

/// <summary>
/// The samples of one N-way K-shot task: images copied into one buffer (sample i at i·pixels) with labels
/// 0..N−1 in the order the classes were drawn. Reused from task to task: sampling allocates nothing.
/// </summary>
public sealed class FewShotTask
{
    private float[] images = [];
    private int[] labels = [];

    /// <summary>How many samples the task holds.</summary>
    public int Count { get; private set; }
    /// <summary>The floats of one sample: Channels · Height · Width.</summary>
    public int Pixels { get; private set; }
    /// <summary>Channels per pixel (1 or 3).</summary>
    public int Channels { get; private set; } = 1;
    /// <summary>Image height.</summary>
    public int Height { get; private set; }
    /// <summary>Image width.</summary>
    public int Width { get; private set; }

    /// <summary>
    /// The pixels of sample <paramref name="sample"/>, row-major, as the dataset's encoding gives them. Valid until
    /// the next draw.
    /// </summary>
    public ReadOnlySpan<float> Image(int sample) => images.AsSpan(sample * Pixels, Pixels);
    /// <summary>
    /// The label of sample <paramref name="sample"/>: 0 … ways − 1, the order in which its class was drawn.
    /// </summary>
    public int Label(int sample) => labels[sample];

    /// <summary>Makes room for <paramref name="count"/> samples of <paramref name="height"/> × <paramref name="width"/>,
    /// keeping the first <paramref name="keep"/> samples (an app's support set, to which queries are appended).</summary>
    internal void Resize(int count, int channels, int height, int width, int keep = 0)
    {
        if (keep > 0 && (height != Height || width != Width || channels != Channels)) throw new ArgumentException("Kept samples must have the new size.", nameof(keep));
        Channels = channels; Height = height; Width = width; Pixels = channels * height * width;
        if (images.Length < count * Pixels) Array.Resize(ref images, count * Pixels);
        if (labels.Length < count) Array.Resize(ref labels, count);
        Count = count;
    }

    /// <summary>Sample <paramref name="sample"/>'s pixels, to write (after <see cref="Resize"/>).</summary>
    internal Span<float> WritableImage(int sample) => images.AsSpan(sample * Pixels, Pixels);

    internal void SetLabel(int sample, int label) => labels[sample] = label;

    /// <summary>Draws <paramref name="ways"/> distinct classes and <paramref name="shots"/> distinct images of each
    /// (supervised-reptile's _sample_mini_dataset).</summary>
    public void Sample(FewShotDataset dataset, int ways, int shots, Rng rng, Span<int> classScratch, Span<int> imageScratch)
    {
        var classes = dataset.Classes;
        if (ways > classes.Count)
            throw new ArgumentException($"A {ways}-way task needs {ways} classes but the dataset has {classes.Count}.");
        Channels = dataset.Channels; Height = dataset.Height; Width = dataset.Width; Pixels = Channels * Height * Width;
        Count = ways * shots;
        if (images.Length < Count * Pixels) images = new float[Count * Pixels];
        if (labels.Length < Count) labels = new int[Count];

        PartialShuffle(classScratch[..classes.Count], ways, rng);
        int s = 0;
        for (int label = 0; label < ways; label++)
        {
            var cls = classes[classScratch[label]];
            if (cls.ImageCount < shots)
                throw new InvalidOperationException($"Class '{cls.Name}' has {cls.ImageCount} images; the task needs {shots} of each class.");
            var order = imageScratch[..cls.ImageCount];
            PartialShuffle(order, shots, rng);
            for (int k = 0; k < shots; k++, s++)
            {
                cls.CopyImage(order[k], images.AsSpan(s * Pixels, Pixels));
                labels[s] = label;
            }
        }
    }

    /// <summary>The first <paramref name="k"/> entries become a uniform random k-subset of 0..n−1, in random order.</summary>
    private static void PartialShuffle(Span<int> scratch, int k, Rng rng)
    {
        for (int i = 0; i < scratch.Length; i++) scratch[i] = i;
        for (int i = 0; i < k; i++)
        {
            int j = i + rng.NextInt(scratch.Length - i);
            (scratch[i], scratch[j]) = (scratch[j], scratch[i]);
        }
    }
}
