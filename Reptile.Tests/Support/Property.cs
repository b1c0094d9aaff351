using System.Runtime.CompilerServices;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Reptile.Tests.Support;

/// <summary>
/// The one property harness. FsCheck draws the values from a seed fixed by the test's name, so every run of the
/// suite checks the same values and a failure is replayed by running its test again; the failure message names
/// the seed, and <see cref="SeedVariable"/> picks another one to explore. With <c>everyPath</c> each value is
/// checked on every SIMD path this machine has.
/// </summary>
public static class Property
{
    /// <summary>An environment variable that, when set to a number, replaces every property's seed.</summary>
    public const string SeedVariable = "REPTILE_PROPERTY_SEED";

    public static void ForAll<T>(Arbitrary<T> values, Action<T> body, int runs = 100, bool everyPath = false,
        [CallerMemberName] string test = "")
    {
        ulong seed = SeedFor(test);
        var replay = new Replay(new Rnd(seed), FSharpOption<int>.None);
        var config = Config.QuickThrowOnFailure.WithMaxTest(runs).WithReplay(FSharpOption<Replay>.Some(replay));
        try
        {
            Check.One(config, Prop.ForAll(values, (T value) =>
            {
                if (everyPath) SimdPaths.ForEach(_ => body(value));
                else body(value);
            }));
        }
        catch (Exception e)
        {
            throw new Exception(
                $"Property {test} failed with seed {seed}. The seed is fixed by the test's name, so running the test again " +
                $"(dotnet test --filter \"FullyQualifiedName~{test}\") replays it; {SeedVariable}=<number> tries another seed.{Environment.NewLine}{e.Message}", e);
        }
    }

    /// <summary>The body draws its shapes and values from an <see cref="Rng"/> built on each generated seed
    /// (a fresh one per SIMD path with <c>everyPath</c>).</summary>
    public static void ForAll(Action<Rng> body, int runs = 100, bool everyPath = false, [CallerMemberName] string test = "") =>
        ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed => body(new Rng((ulong)seed)), runs, everyPath, test);

    public static T Pick<T>(this Rng rng, params T[] choices) => choices[rng.NextInt(choices.Length)];

    // FNV-1a: string.GetHashCode differs from process to process.
    private static ulong SeedFor(string test)
    {
        if (ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out ulong chosen)) return chosen;
        ulong hash = 14695981039346656037;
        foreach (char c in test) hash = (hash ^ c) * 1099511628211;
        return hash;
    }
}
