using System.Text;
using Reptile.IO;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Optim;
using Reptile.Tests.IO;
using Xunit.Abstractions;

namespace Reptile.Tests.Reliability;

/// <summary>
/// A checkpoint folder (model, optimizer state, metrics) with each of its files truncated at every offset and edited
/// at random, and the crafted cases of the fuzzing findings: loading either succeeds or throws an
/// <see cref="InvalidFileException"/> naming one of the checkpoint's files; never another exception, never a
/// checkpoint holding NaN, and the model is left untouched when loading fails.
/// </summary>
public class CheckpointMutationTests(ITestOutputHelper output) : IDisposable
{
    public const int CasesPerFile = 3_000;
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static Sequential Model() => new Sequential(new Linear(3, 4), new Relu(), new Linear(4, 2)).Initialize(new Rng(1));

    /// <summary>A valid checkpoint after 3 iterations, with metrics rows 0–2 (one with accuracies).</summary>
    private string ValidCheckpoint(string name = "valid")
    {
        var folder = Path.Combine(dir.Path, name);
        var model = Model();
        var adam = new Adam(model.ParameterCount, 1e-3f);
        adam.Step(model.Parameters, Enumerable.Range(0, model.ParameterCount).Select(i => 0.01f * i).ToArray());
        var metrics = new MetricsLog();
        metrics.Add(new MetricsRow(0, 1f, 1.5f, 0.4, 0.2));
        metrics.Add(new MetricsRow(1, 0.9f, 1.25f));
        metrics.Add(new MetricsRow(2, 0.8f, 1.125f));
        ReptileCheckpoint.Save(folder, model, adam, 3, metrics, new Dictionary<string, string> { ["options"] = new FewShotOptions().ToJson() });
        return folder;
    }

    private static (Sequential Model, Adam Optimizer) Target()
    {
        var model = Model();
        return (model, new Adam(model.ParameterCount, 1e-3f));
    }

    [Theory]
    [InlineData(ReptileCheckpoint.ModelFile)]
    [InlineData("optimizer-0000003.safetensors")]
    [InlineData(ReptileCheckpoint.MetricsFile)]
    public void MutatedFilesLoadOrAreRefusedNamingACheckpointFile(string file)
    {
        var folder = ValidCheckpoint();
        var path = Path.Combine(folder, file);
        var valid = File.ReadAllBytes(path);
        var files = Directory.GetFiles(folder).ToHashSet();
        int loaded = 0, refused = 0;
        long maxAllocated = 0;
        foreach (var (label, bytes) in FileMutations.Cases(valid, CasesPerFile, seed: file.Length))
        {
            File.WriteAllBytes(path, bytes);
            var (model, adam) = Target();
            var before = model.Parameters.ToArray();
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                ReptileCheckpoint.Load(folder, model, adam);
                loaded++;
                Assert.All(model.Parameters, v => Assert.True(float.IsFinite(v), $"{label}: loaded a non-finite weight"));
            }
            catch (InvalidFileException e) when (files.Contains(e.FilePath) && !e.Message.Any(char.IsControl))
            {
                refused++;
                Assert.True(before.AsSpan().SequenceEqual(model.Parameters), $"{label}: a refused checkpoint changed the model");
            }
            catch (Exception e)
            {
                Assert.Fail($"{label}: {e.GetType().FullName}: {e.Message}\ninput: {Convert.ToHexString(bytes)}\n{e.StackTrace}");
            }
            maxAllocated = Math.Max(maxAllocated, GC.GetAllocatedBytesForCurrentThread() - allocated);
        }
        File.WriteAllBytes(path, valid);
        output.WriteLine($"{file}: {CasesPerFile} cases, {loaded} loaded, {refused} refused, at most {maxAllocated / 1024.0:F1} KiB allocated per case");
        Assert.True(loaded > 0 && refused > 0);
        Assert.True(maxAllocated < FileMutations.MaxBytesPerCase);
    }

    private static void Rewrite(string path, Func<IReadOnlyList<SafeTensor>, IReadOnlyDictionary<string, string>, (IReadOnlyList<SafeTensor>, Dictionary<string, string>)> change)
    {
        var (tensors, metadata) = SafeTensors.Read(path);
        var (newTensors, newMetadata) = change(tensors, metadata);
        SafeTensors.Write(path, newTensors, newMetadata);
    }

    private InvalidFileException Refused(string folder, string file, string field)
    {
        var (model, adam) = Target();
        var e = Assert.Throws<InvalidFileException>(() => ReptileCheckpoint.Load(folder, model, adam));
        Assert.Equal(Path.Combine(folder, file), e.FilePath);
        Assert.Equal(field, e.Field);
        return e;
    }

    [Theory]
    [InlineData("iteration", "abc")]
    [InlineData("iteration", "99999999999")]
    [InlineData("iteration", "-1")]
    [InlineData("optimizer_step", "1e3")]
    [InlineData("optimizer_state_file", "../../etc/passwd")]
    [InlineData("optimizer", "Sgd")]
    public void BadMetadataIsRefusedNamingTheField(string key, string value)
    {
        var folder = ValidCheckpoint();
        Rewrite(Path.Combine(folder, ReptileCheckpoint.ModelFile), (t, m) => (t, new Dictionary<string, string>(m) { [key] = value }));
        Refused(folder, ReptileCheckpoint.ModelFile, key);
    }

    [Fact]
    public void NonFiniteWeightsOrStateAreRefused()
    {
        var folder = ValidCheckpoint("nan-weights");
        Rewrite(Path.Combine(folder, ReptileCheckpoint.ModelFile), (t, m) =>
            (t.Select((x, i) => i == 1 ? x with { Data = x.Data.Select((v, j) => j == 2 ? float.NaN : v).ToArray() } : x).ToList(), new(m)));
        Assert.Contains("diverged", Refused(folder, ReptileCheckpoint.ModelFile, "0.bias").Message);

        folder = ValidCheckpoint("inf-state");
        var state = Path.Combine(folder, "optimizer-0000003.safetensors");
        Rewrite(state, (t, m) => (t.Select(x => x with { Data = x.Data.Select(_ => float.PositiveInfinity).ToArray() }).ToList(), new(m)));
        var (model, adam) = Target();
        var e = Assert.Throws<InvalidFileException>(() => ReptileCheckpoint.Load(folder, model, adam));
        Assert.Equal(state, e.FilePath);
    }

    [Fact]
    public void AMissingStateFileIsRefusedNamingTheModelsField()
    {
        var folder = ValidCheckpoint();
        File.Delete(Path.Combine(folder, "optimizer-0000003.safetensors"));
        Refused(folder, ReptileCheckpoint.ModelFile, "optimizer_state_file");
    }

    [Theory]
    [InlineData("iteration,meta_step,train_loss,train_accuracy,test_accuracy\n0,1,1.5,0.4,0.2\n1,0.9,x,,\n2,0.8,1.125,,\n", "line 3, train_loss")]
    [InlineData("iteration,meta_step,train_loss,train_accuracy,test_accuracy\n0,1,1.5,0.4,0.2\n2,0.8,1.125,,\n", "line 3, iteration")]
    [InlineData("iteration,meta_step,train_loss,train_accuracy,test_accuracy\n0,1,1.5,0.4,0.2\n1,0.9,1.25,,\n", "rows")]
    [InlineData("iteration,meta_step,train_loss,train_accuracy,test_accuracy\n0,1,1.5,7,0.2\n1,0.9,1.25,,\n2,0.8,1.125,,\n", "line 2, train_accuracy")]
    [InlineData("iteration;meta_step\n", "header")]
    [InlineData("iteration,meta_step,train_loss,train_accuracy,test_accuracy\n0,1,1.5,0.4\n", "line 2")]
    public void BadMetricsAreRefusedNamingTheLineAndColumn(string csv, string field)
    {
        var folder = ValidCheckpoint();
        File.WriteAllText(Path.Combine(folder, ReptileCheckpoint.MetricsFile), csv, new UTF8Encoding(false));
        Refused(folder, ReptileCheckpoint.MetricsFile, field);
    }

    [Fact]
    public void MetricsAheadOfTheModelAreCutToTheModelsIteration()
    {
        // A kill between writing metrics.csv and the model file leaves rows the model has not reached.
        var folder = ValidCheckpoint();
        File.AppendAllText(Path.Combine(folder, ReptileCheckpoint.MetricsFile), "3,0.7,1,,\n");
        var (model, adam) = Target();
        var info = ReptileCheckpoint.Load(folder, model, adam);
        Assert.Equal([0, 1, 2], info.Metrics.Select(r => r.Iteration));
    }

    [Fact]
    public void BrokenOptionsJsonIsRefusedOnResume()
    {
        var folder = ValidCheckpoint();
        Rewrite(Path.Combine(folder, ReptileCheckpoint.ModelFile), (t, m) => (t, new Dictionary<string, string>(m) { ["options"] = "{\"Classes\": \"five\"" }));
        var e = Assert.Throws<InvalidFileException>(() => FewShotOptions.FromJson(SafeTensors.Read(Path.Combine(folder, ReptileCheckpoint.ModelFile)).Metadata["options"],
            Path.Combine(folder, ReptileCheckpoint.ModelFile)));
        Assert.Equal("options", e.Field);
    }

    [Fact]
    public void SavingRefusesNonFiniteValuesBeforeWritingAnything()
    {
        var folder = Path.Combine(dir.Path, "never");
        var model = Model();
        model.Parameters[0] = float.NaN;
        Assert.Throws<InvalidOperationException>(() => ReptileCheckpoint.Save(folder, model, new Sgd(0.1f), 1));
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any());
    }
}
