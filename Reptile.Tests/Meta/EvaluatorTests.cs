using Reptile.Layers;
using Reptile.Meta;
using Reptile.Optim;
using Reptile.Tests.Support;

namespace Reptile.Tests.Meta;

public class EvaluatorTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EvaluationDoesNotDependOnTheThreadCount(bool transductive)
    {
        var data = SyntheticData.Dataset(8, 4, 8, seed: 3);
        var model = Models.Omniglot(3, imageSize: 8).Initialize(new Rng(1));
        var adam = new Adam(model.ParameterCount, 1e-3f);
        var evaluator = new FewShotEvaluator(3, 2, 3, 4, transductive: transductive);
        var one = evaluator.Evaluate(data, model, adam, 12, (k, rng) => rng.Reseed(9, (ulong)k), threads: 1);
        var two = evaluator.Evaluate(data, model, adam, 12, (k, rng) => rng.Reseed(9, (ulong)k), threads: 2);
        Assert.Equal(one, two);
    }

    [Fact]
    public void EvaluationRestoresNothingItDoesNotOwn()
    {
        var data = SyntheticData.Dataset(8, 4, 8, seed: 3);
        var model = Models.Omniglot(3, imageSize: 8).Initialize(new Rng(1));
        var adam = new Adam(model.ParameterCount, 1e-3f);
        var before = model.Parameters.ToArray();
        new FewShotEvaluator(3, 2, 3, 4).Evaluate(data, model, adam, 3, (k, rng) => rng.Reseed(1, (ulong)k));
        Assert.Equal(before, model.Parameters);
        Assert.Equal(0, adam.StepCount);
    }
}
