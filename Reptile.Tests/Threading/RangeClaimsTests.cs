using Reptile.Threading;

namespace Reptile.Tests.Threading;

/// <summary>The claims' arithmetic, on one thread (the order of calls stands for the threads' order).</summary>
public class RangeClaimsTests
{
    private static List<(int From, int To)> Drain(RangeClaims claims, int part)
    {
        var pieces = new List<(int, int)>();
        while (claims.Next(part, out int from, out int to)) pieces.Add((from, to));
        return pieces;
    }

    [Fact]
    public void APartTakesItsOwnStretchFromTheFrontThenTheOthersFromTheBackOnTheGrain()
    {
        // 1000 indices, grain 8, two parts: stretches [0, 496) and [496, 1000), chunks of 64 (496 / 8 = 62, up to the grain).
        var claims = RangeClaims.For(1000, 2, 8);
        Assert.True(claims.Next(1, out int from, out int to));
        Assert.Equal((496, 560), (from, to));
        var first = Drain(claims, 0);
        // Part 0: its own stretch front to back, then part 1's from the back, every cut on the grain or at the end.
        Assert.Equal((0, 64), first[0]);
        Assert.Equal(496, first.TakeWhile(p => p.To <= 496).Last().To);
        var stolen = first.SkipWhile(p => p.To <= 496).ToList();
        Assert.Equal((936, 1000), stolen[0]);
        Assert.True(stolen.Zip(stolen.Skip(1)).All(p => p.Second.To == p.First.From), "steals run down from the back");
        Assert.Equal(560, stolen[^1].From);
        Assert.All(first, p => Assert.True(p.From % 8 == 0 && (p.To % 8 == 0 || p.To == 1000), $"{p} off the grain"));
        Assert.Empty(Drain(claims, 1)); // everything was taken once
    }

    [Fact]
    public void ASplitStartsThePartsAtIt()
    {
        var claims = RangeClaims.For(10, 2, 1, split: 7);
        Assert.True(claims.Next(1, out int from, out _));
        Assert.Equal(7, from);
        Assert.True(claims.Next(0, out from, out _));
        Assert.Equal(0, from);
    }

    [Fact]
    public void AfterAbandonNothingIsLeftToTake()
    {
        var claims = RangeClaims.For(1000, 3, 1);
        Assert.True(claims.Next(0, out _, out _));
        claims.Abandon();
        for (int part = 0; part < 3; part++) Assert.False(claims.Next(part, out _, out _));
    }
}
