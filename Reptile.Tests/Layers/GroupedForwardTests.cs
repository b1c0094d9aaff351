using Reptile.Autograd;
using Reptile.Layers;
using Reptile.Tests.Support;

namespace Reptile.Tests.Layers;

/// <summary>
/// A pass over a batch of G groups (batch norm's statistics per group) gives every group's outputs bit for bit as a pass
/// over that group alone: the products' routes and roundings must not depend on the batch. Groups the size of an N-way
/// K-shot prediction batch (N·K + 1 images) on the paper's networks, on every SIMD path.
/// </summary>
public class GroupedForwardTests
{
    [Theory]
    [InlineData("omniglot", 5, 1)]
    [InlineData("omniglot", 5, 5)]
    [InlineData("omniglot", 20, 1)]
    [InlineData("omniglot", 20, 5)]
    [InlineData("miniimagenet", 5, 1)]
    public void EachGroupGetsTheOutputsOfAPassOfItsOwn(string network, int ways, int shots) => Property.ForAll(rng =>
    {
        // The Mini-ImageNet network on small images (its products' shapes shrink, its pooling stays).
        var (model, channels, side) = network == "omniglot" ? (Models.Omniglot(ways), 1, 28) : (Models.MiniImageNet(ways, imageSize: 21), 3, 21);
        model.Initialize(rng);
        // Weights as fine-tuning leaves them: batch norm's scale and shift away from 1 and 0.
        for (int i = 0; i < model.ParameterCount; i++) model.Parameters[i] += 0.2f * (rng.NextFloat() - 0.5f);
        int size = ways * shots + 1, groups = size > 60 ? 2 : 2 + rng.NextInt(3), image = channels * side * side;
        var batch = Tensor.Zeros(false, groups * size, channels, side, side);
        for (int i = 0; i < batch.Length; i++) batch.Values[i] = network == "omniglot" ? (rng.NextDouble() < 0.8 ? 1f : 0f) : rng.NextFloat();

        var together = model.Forward(batch, new BatchGroups(groups)).Values.ToArray();
        var alone = Tensor.Zeros(false, size, channels, side, side);
        for (int g = 0; g < groups; g++)
        {
            batch.Values.Slice(g * size * image, size * image).CopyTo(alone.Values);
            var expected = model.Forward(alone).Values.ToArray();
            Assert.Equal(Bits(expected), Bits(together.AsSpan(g * size * ways, size * ways).ToArray()));
        }
    }, runs: ways * shots > 20 ? 1 : 2, everyPath: true);

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);

    [Fact]
    public void ModelsSayWhetherTheyKeepGroupsApart()
    {
        Assert.True(Models.Omniglot(5).KeepsGroupsApart(6));
        Assert.True(Models.MiniImageNet(5).KeepsGroupsApart(6));
        // Tanh's scalar path (short batches) rounds unlike its vector paths.
        Assert.False(Models.SineMlp().KeepsGroupsApart(6));
        // 4 kernels over 32·3·3 inputs: a group of 6 images of one position each could take GemmSmall's single chain,
        // a larger batch the packed driver's two blocks of depth.
        Assert.False(new Sequential(new Conv2d(32, 4, 3)).KeepsGroupsApart(6));
    }
}
