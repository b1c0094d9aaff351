using FsCheck;
using FsCheck.Fluent;

namespace Reptile.Tests.Support;

/// <summary>
/// Runs a property over FsCheck-generated seeds; the body draws its shapes and values from an Rng built on
/// the seed, so a failure report names the seed that reproduces it.
/// </summary>
public static class Property
{
    public static void ForAll(Action<Rng> body, int runs = 100)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(runs);
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            try { body(new Rng((ulong)seed)); }
            catch (Exception e) { throw new Exception($"Property failed for seed {seed}: {e.Message}", e); }
        }).Check(config);
    }

    public static T Pick<T>(this Rng rng, params T[] choices) => choices[rng.NextInt(choices.Length)];
}
