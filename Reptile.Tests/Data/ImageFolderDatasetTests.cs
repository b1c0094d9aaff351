using Reptile.Data;
using Reptile.IO;
using Reptile.Tests.IO;

namespace Reptile.Tests.Data;

public class ImageFolderDatasetTests
{
    private static void WriteGray(string path, int[,] samples) =>
        File.WriteAllBytes(path, PngTestEncoder.Encode(samples.GetLength(1), samples.GetLength(0), 0, 8, PngTestEncoder.Pack(samples, 8)));

    [Fact]
    public void LoadsSortedClassesResizedAndScaled()
    {
        using var dir = new TempDir();
        foreach (var cls in new[] { "b", "a" }) Directory.CreateDirectory(Path.Combine(dir.Path, cls));
        // 4×6 source with value = 10·row + col, resized to 2×3: rows floor((i+.5)·2) = 1, 3; cols floor((j+.5)·2) = 1, 3, 5.
        var src = new int[4, 6];
        for (int r = 0; r < 4; r++) for (int c = 0; c < 6; c++) src[r, c] = 10 * r + c;
        WriteGray(Path.Combine(dir.Path, "a", "2.png"), src);
        WriteGray(Path.Combine(dir.Path, "a", "1.png"), new int[2, 3] { { 255, 0, 51 }, { 0, 0, 0 } });
        // An RGB image in class b, already the target size.
        File.WriteAllBytes(Path.Combine(dir.Path, "b", "x.png"),
            PngTestEncoder.Encode(3, 2, 2, 8, PngTestEncoder.Pack(new int[2, 9] { { 255, 255, 255, 0, 0, 0, 255, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 0, 0 } }, 8)));
        File.WriteAllText(Path.Combine(dir.Path, "b", "notes.txt"), "ignored");

        var ds = ImageFolderDataset.Load(dir.Path, 2, 3);
        Assert.Equal(["a", "b"], ds.Classes.Select(c => c.Name));
        Assert.Equal(2, ds.Classes[0].ImageCount);
        Assert.Equal(1, ds.Classes[1].ImageCount);
        var img = new float[6];
        ds.Classes[0].CopyImage(0, img); // "1.png" sorts first
        Assert.Equal(new[] { 255, 0, 51, 0, 0, 0 }.Select(v => v * (1f / 255f)), img);
        ds.Classes[0].CopyImage(1, img);
        Assert.Equal(new[] { 11, 13, 15, 31, 33, 35 }.Select(v => v * (1f / 255f)), img);
        ds.Classes[1].CopyImage(0, img);
        Assert.Equal(1f, img[0]);
        Assert.Equal(76 * (1f / 255f), img[2]); // PIL's luma of pure red
    }

    [Fact]
    public void Errors()
    {
        var e1 = Assert.Throws<DirectoryNotFoundException>(() => ImageFolderDataset.Load("/no/such/images", 4, 4));
        Assert.Contains("/no/such/images", e1.Message);

        using var dir = new TempDir();
        var e2 = Assert.Throws<InvalidFileException>(() => ImageFolderDataset.Load(dir.Path, 4, 4));
        Assert.Contains(dir.Path, e2.Message);

        var empty = Path.Combine(dir.Path, "empty");
        Directory.CreateDirectory(empty);
        var e3 = Assert.Throws<InvalidFileException>(() => ImageFolderDataset.Load(dir.Path, 4, 4));
        Assert.Contains(empty, e3.Message);

        var bad = Path.Combine(empty, "bad.png");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var e4 = Assert.Throws<InvalidFileException>(() => ImageFolderDataset.Load(dir.Path, 4, 4));
        Assert.Contains(bad, e4.Message);
    }
}
