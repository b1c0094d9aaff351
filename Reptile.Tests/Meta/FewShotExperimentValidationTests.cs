using Reptile.Meta;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

public class FewShotExperimentValidationTests
{
    [Fact]
    public void AClassWithTooFewImagesIsNamedBeforeTraining()
    {
        var train = SyntheticData.Dataset(8, 20, 8, seed: 1);
        var test = SyntheticData.Dataset(6, 3, 8, seed: 2, prefix: "tiny");
        var e = Assert.Throws<ArgumentException>(() => new FewShotExperiment(new FewShotOptions { Classes = 5, Shots = 5 }, train, test,
            ways => Reptile.Layers.Models.Omniglot(ways, imageSize: 8)));
        Assert.Contains("tiny0", e.Message);
        Assert.Contains("has 3 images", e.Message);
    }

    [Fact]
    public void TooFewClassesIsAClearError()
    {
        var data = SyntheticData.Dataset(3, 20, 8, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => new FewShotExperiment(new FewShotOptions { Classes = 5 }, data, data,
            ways => Reptile.Layers.Models.Omniglot(ways, imageSize: 8)));
        Assert.Contains("5-way", e.Message);
    }
}
