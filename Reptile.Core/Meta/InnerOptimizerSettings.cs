using Reptile.Optim;

namespace Reptile.Meta;

/// <summary>The inner loop's optimizer as a checkpoint records it: an explicit kind and its hyperparameters.</summary>
/// <param name="Kind"><c>adam</c> (TensorFlow's Adam, as supervised-reptile runs it) or <c>sgd</c>.</param>
/// <param name="LearningRate">The step size.</param>
/// <param name="Beta1">Adam's first-moment decay (supervised-reptile: 0).</param>
/// <param name="Beta2">Adam's second-moment decay.</param>
/// <param name="Epsilon">Adam's ε, added to √v.</param>
public sealed record InnerOptimizerSettings(string Kind, float LearningRate, float Beta1 = 0f, float Beta2 = 0.999f, float Epsilon = 1e-8f)
{
    /// <summary>The <see cref="Kind"/> of <see cref="Adam"/>.</summary>
    public const string AdamKind = "adam";
    /// <summary>The <see cref="Kind"/> of <see cref="Sgd"/>.</summary>
    public const string SgdKind = "sgd";

    /// <summary>A fresh optimizer of these settings for <paramref name="parameterCount"/> parameters.</summary>
    /// <exception cref="NotSupportedException">An unknown kind.</exception>
    public Optimizer Create(int parameterCount) => Kind switch
    {
        AdamKind => new Adam(parameterCount, LearningRate, Beta1, Beta2, Epsilon),
        SgdKind => new Sgd(LearningRate),
        _ => throw new NotSupportedException($"Inner optimizer kind '{Kind}' is not one this engine has ({AdamKind}, {SgdKind})."),
    };

    /// <summary>The settings of <paramref name="optimizer"/>.</summary>
    public static InnerOptimizerSettings Of(Optimizer optimizer) => optimizer switch
    {
        Adam a => new(AdamKind, a.LearningRate, a.Beta1, a.Beta2, a.Epsilon),
        Sgd s => new(SgdKind, s.LearningRate),
        _ => throw new NotSupportedException($"{optimizer.GetType().Name} has no checkpoint kind; inner optimizers are Adam or Sgd."),
    };

    /// <summary>The kind of <paramref name="optimizer"/> (what checkpoints record in their <c>optimizer</c> field).</summary>
    public static string KindOf(Optimizer optimizer) => optimizer switch
    {
        Adam => AdamKind,
        Sgd => SgdKind,
        _ => optimizer.GetType().Name,
    };
}
