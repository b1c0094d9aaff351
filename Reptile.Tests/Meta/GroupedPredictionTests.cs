using Reptile.Data;
using Reptile.Layers;
using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

/// <summary>
/// Non-transductive predictions stack each held-out sample's batch (the training samples and it) as groups of a few
/// passes: the logits are bit for bit those of one pass per held-out sample, the way supervised-reptile predicts, on every
/// SIMD path. (That a pass over groups equals passes over each: GroupedForwardTests.)
/// </summary>
public class GroupedPredictionTests
{
    private static readonly Lazy<FewShotDataset> Omniglot = new(() => SyntheticData.Dataset(8, 6, 28, seed: 11));

    /// <summary>5-way 1-shot: batches of 6, in passes of 3 and 2 groups; 5-way 5-shot: batches of 26, one a pass.</summary>
    [Theory]
    [InlineData(5, 1)]
    [InlineData(5, 5)]
    public void PredictionsAreThoseOfOnePassPerHeldOutSample(int ways, int shots) => Property.ForAll(rng =>
    {
        var model = Models.Omniglot(ways).Initialize(rng);
        for (int i = 0; i < model.ParameterCount; i++) model.Parameters[i] += 0.2f * (rng.NextFloat() - 0.5f);
        AssertOnePassPerHeldOutSample(model, Omniglot.Value, ways, shots, rng);
    }, runs: shots == 1 ? 3 : 1, everyPath: true);

    /// <summary>A product that a group alone could run through GemmSmall's single chain and a batch of groups through the
    /// packed driver's blocks of depth would round differently: such a model is predicted one batch a pass.</summary>
    [Fact]
    public void ModelsWhoseProductsCouldChangeRoutesArePredictedOneBatchAPass() => Property.ForAll(rng =>
    {
        var data = SyntheticData.Dataset(20, 2, 4, seed: 12);
        var model = new Sequential(new Conv2d(1, 32, 3, stride: 2, padding: 1), new BatchNorm2d(32), new Relu(),
            new Conv2d(32, 4, 3, stride: 2, padding: 1), new BatchNorm2d(4), new Relu(), new Flatten(), new Linear(4, 20)).Initialize(rng);
        AssertOnePassPerHeldOutSample(model, data, 20, 1, rng);
    }, runs: 3, everyPath: true);

    private static void AssertOnePassPerHeldOutSample(Sequential model, FewShotDataset data, int ways, int shots, Rng rng)
    {
        var tasks = new FewShotTaskSampler(data, ways, shots + 1, 5, 0, heldOutPerClass: 1);
        tasks.Sample(rng);
        var grouped = new float[ways * ways];
        tasks.PredictHeldOut(model, transductive: false, grouped);

        var indices = new int[tasks.Pool.Length + 1];
        tasks.Pool.CopyTo(indices);
        for (int q = 0; q < ways; q++)
        {
            indices[^1] = tasks.HeldOut[q];
            var alone = model.Forward(tasks.Fill(indices).Inputs).Values.Slice(tasks.Pool.Length * ways, ways).ToArray();
            Assert.Equal(Bits(alone), Bits(grouped.AsSpan(q * ways, ways).ToArray()));
        }
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
