using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchSharpPeer;

/// <summary>The Omniglot data, character split, task sampling, model and optimizer of the Omniglot peers (the same
/// protocol as ../_common.py).</summary>
internal static class Omniglot
{
    private const int SourceSize = 105;

    /// <summary>images_background.npz + images_evaluation.npz (1623 characters × 20 drawings of 105×105 bools, true =
    /// white background) resized nearest-neighbour to size × size (output pixel i ← source floor((i + 0.5)·105/size)),
    /// float32 0/1 (background 1), as one tensor [1623, 20, size, size].</summary>
    public static Tensor Load(string folder, int size = 28)
    {
        var index = new int[size];
        for (int i = 0; i < size; i++) index[i] = (int)Math.Floor((i + 0.5) * SourceSize / size);
        var parts = new List<float[]>();
        long characters = 0;
        foreach (var name in new[] { "images_background.npz", "images_evaluation.npz" })
        {
            using var zip = ZipFile.OpenRead(Path.Combine(folder, name));
            var entry = zip.GetEntry("images.npy") ?? throw new InvalidDataException($"{name} has no images.npy");
            using var stream = entry.Open();
            var shape = ReadNpyHeader(stream, "|b1");
            if (shape.Length != 4 || shape[1] != 20 || shape[2] != SourceSize || shape[3] != SourceSize)
                throw new InvalidDataException($"{name}: unexpected shape ({string.Join(", ", shape)})");
            int images = checked((int)(shape[0] * shape[1]));
            var pixels = new float[(long)images * size * size];
            var source = new byte[SourceSize * SourceSize];
            for (int n = 0; n < images; n++)
            {
                stream.ReadExactly(source);
                int o = n * size * size;
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        pixels[o + y * size + x] = source[index[y] * SourceSize + index[x]] != 0 ? 1f : 0f;
            }
            parts.Add(pixels);
            characters += shape[0];
        }
        var all = new float[parts.Sum(p => (long)p.Length)];
        long at = 0;
        foreach (var p in parts) { p.CopyTo(all, at); at += p.Length; }
        if (characters != 1623) throw new InvalidDataException($"expected 1623 characters, found {characters}");
        return tensor(all, [characters, 20, size, size]);
    }

    /// <summary>Reads a NumPy format 1.0/2.0 header and returns the shape; the dtype must be <paramref name="descr"/>
    /// in C order.</summary>
    private static long[] ReadNpyHeader(Stream stream, string descr)
    {
        var magic = new byte[8];
        stream.ReadExactly(magic);
        if (magic[0] != 0x93 || Encoding.ASCII.GetString(magic, 1, 5) != "NUMPY") throw new InvalidDataException("not a .npy file");
        int length;
        if (magic[6] == 1) { var l = new byte[2]; stream.ReadExactly(l); length = l[0] | l[1] << 8; }
        else { var l = new byte[4]; stream.ReadExactly(l); length = BitConverter.ToInt32(l); }
        var text = new byte[length];
        stream.ReadExactly(text);
        var header = Encoding.Latin1.GetString(text);
        if (!header.Contains($"'descr': '{descr}'") || !header.Contains("'fortran_order': False"))
            throw new InvalidDataException($"unexpected .npy header {header.Trim()}");
        var shape = Regex.Match(header, @"'shape': \(([^)]*)\)").Groups[1].Value;
        return shape.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
    }

    /// <summary>supervised-reptile's split: characters shuffled with <paramref name="rng"/>, the first
    /// <paramref name="trainCharacters"/> for meta-training with rotations 0/90/180/270 (character, quarter turns), the
    /// rest unrotated for meta-testing.</summary>
    public static ((int Character, int Turns)[] Train, (int Character, int Turns)[] Test) Split(Random rng, int characters, int trainCharacters)
    {
        var order = Enumerable.Range(0, characters).ToArray();
        rng.Shuffle(order);
        var train = order.Take(trainCharacters).SelectMany(c => Enumerable.Range(0, 4).Select(r => (c, r))).ToArray();
        var test = order.Skip(trainCharacters).Select(c => (c, 0)).ToArray();
        return (train, test);
    }

    /// <summary><paramref name="k"/> distinct items of <paramref name="items"/> in random order (Python's random.sample).</summary>
    public static T[] Sample<T>(Random rng, IReadOnlyList<T> items, int k)
    {
        var pool = items.ToArray();
        for (int i = 0; i < k; i++)
        {
            int j = rng.Next(i, pool.Length);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..k];
    }

    private static readonly long[] AllDrawings = Enumerable.Range(0, 20).Select(i => (long)i).ToArray();

    /// <summary><paramref name="shots"/> distinct drawings of each class, rotated: one [shots, H, W] tensor per class.</summary>
    public static Tensor[] SampleImages(Tensor images, Random rng, (int Character, int Turns)[] classes, int shots)
    {
        var result = new Tensor[classes.Length];
        for (int i = 0; i < classes.Length; i++)
        {
            var (c, turns) = classes[i];
            using var draws = tensor(Sample(rng, AllDrawings, shots));
            using var character = images[c];
            var x = character.index_select(0, draws);
            if (turns != 0)
            {
                var rotated = x.rot90(turns, (1, 2));
                x.Dispose();
                x = rotated;
            }
            result[i] = x;
        }
        return result;
    }

    /// <summary>supervised-reptile's Omniglot network: 4 × [Conv2d(in, 64, 3, stride 2, padding 1) → BatchNorm2d(64,
    /// eps 1e-3, batch statistics always) → ReLU] → Flatten → Linear(256, classes).</summary>
    public static Sequential Model(int classes)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long cin = 1;
        for (int i = 0; i < 4; i++)
        {
            layers.Add(nn.Conv2d(cin, 64, 3, stride: 2, padding: 1));
            layers.Add(nn.BatchNorm2d(64, eps: 1e-3, track_running_stats: false));
            layers.Add(nn.ReLU());
            cin = 64;
        }
        layers.Add(nn.Flatten());
        layers.Add(nn.Linear(256, classes));
        return nn.Sequential(layers);
    }

    /// <summary>The paper's inner optimizer: Adam with β1 = 0, β2 0.999, ε 1e-8.</summary>
    public static Adam PaperAdam(IEnumerable<Parameter> parameters, double learningRate) =>
        optim.Adam(parameters, lr: learningRate, beta1: 0.0, beta2: 0.999, eps: 1e-8);

    /// <summary>supervised-reptile's _mini_batches without replacement: shuffle, cut batches in order, reshuffle when
    /// the samples run out (a batch may span two shuffles); <paramref name="batches"/> batches of indices.</summary>
    public static IEnumerable<long[]> MiniBatches(Random rng, int samples, int batchSize, int batches)
    {
        var order = Enumerable.Range(0, samples).Select(i => (long)i).ToArray();
        var batch = new List<long>(batchSize);
        int count = 0;
        while (true)
        {
            rng.Shuffle(order);
            foreach (var s in order)
            {
                batch.Add(s);
                if (batch.Count < batchSize) continue;
                yield return batch.ToArray();
                if (++count == batches) yield break;
                batch.Clear();
            }
        }
    }
}
