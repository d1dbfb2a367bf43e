using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Tests.Amt;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Masking;

public sealed class AmtMaskingTests
{
    private static readonly MaskGrid Grid8 = new(8);
    private static readonly MaskGrid Grid14 = new(14);

    private static AmtMasking Strategy(MaskGrid grid, AmtVariant variant = AmtVariant.Attention) =>
        (AmtConfig.ForMae() with { Variant = variant }).Strategy(grid);

    [Theory]
    [InlineData(AmtVariant.Attention)]
    [InlineData(AmtVariant.Inverted)]
    [InlineData(AmtVariant.RandomWithThrowing)]
    [InlineData(AmtVariant.ThrowHighest)]
    [InlineData(AmtVariant.TopK)]
    public void TheThreeSetsFormAPermutation(AmtVariant variant)
    {
        using var w = AmtTestData.Gaussian(16, 14, 2.5);
        using var plan = Strategy(Grid14, variant).Plan(new MaskRequest(16, AmtTestData.Gen(3), w));
        Assert.Equal((88, 78, 30), (plan.NumMasked, plan.NumThrown, plan.NumVisible));
        using var all = cat([plan.Masked, plan.Thrown, plan.Visible], 1).sort(1).Values;
        using var expected = arange(196L).expand(16, -1);
        Assert.True(all.eq(expected).all().item<bool>());
        foreach (var set in new[] { plan.Masked, plan.Thrown, plan.Visible })
        {
            using var sorted = set.sort(1).Values;
            Assert.True(sorted.eq(set).all().item<bool>(), "each set is sorted ascending");
        }
    }

    [Fact]
    public void SameSeedSamePlanDifferentSeedDifferentPlan()
    {
        using var w = AmtTestData.Gaussian(4, 14, 2.5);
        var s = Strategy(Grid14);
        using var a = s.Plan(new MaskRequest(4, AmtTestData.Gen(7, 0, 1), w));
        using var b = s.Plan(new MaskRequest(4, AmtTestData.Gen(7, 0, 1), w));
        using var c = s.Plan(new MaskRequest(4, AmtTestData.Gen(7, 0, 2), w));
        using var codesA = a.Codes();
        using var codesB = b.Codes();
        using var codesC = c.Codes();
        Assert.True(codesA.eq(codesB).all().item<bool>());
        Assert.False(codesA.eq(codesC).all().item<bool>());
    }

    [Fact]
    public void PeakedPriorOrdersMeanWeightsMaskedThrownVisible()
    {
        using var w = AmtTestData.Gaussian(64, 14, 2.5);
        using var plan = Strategy(Grid14).Plan(new MaskRequest(64, AmtTestData.Gen(11), w));
        var d = MaskingDiagnostics.Measure(w, plan, Grid14);
        Assert.True(d.MeanWeightMasked > d.MeanWeightThrown, $"{d}");
        Assert.True(d.MeanWeightThrown > d.MeanWeightVisible, $"{d}");
        Assert.True(d.TopQuartileMasked > 0.9, $"{d}");
    }

    [Fact]
    public void HighPriorRegionIsMaskedFarMoreOftenThanChance()
    {
        const int draws = 2000;
        int[] hot = AmtTestData.Block3x3On8();
        using var w = AmtTestData.Block(draws, 64, hot);
        using var plan = Strategy(Grid8).Plan(new MaskRequest(draws, AmtTestData.Gen(5), w));
        var freq = AmtTestData.Frequency(plan.Masked, 64);
        double hotRate = hot.Average(i => freq[i]);
        double chance = plan.NumMasked / 64.0;
        Assert.True(hotRate > 2 * chance, $"hot region masked at {hotRate:F3}, chance {chance:F3}");
        Assert.True(hotRate > 0.95, $"hot region masked at {hotRate:F3}");
    }

    [Theory]
    [InlineData(AmtVariant.Attention)]
    [InlineData(AmtVariant.RandomWithThrowing)]
    public void UniformWeightsMaskEveryCellEquallyOften(AmtVariant variant)
    {
        const int draws = 4000;
        using var w = ones(draws, 64);
        using var plan = Strategy(Grid8, variant).Plan(new MaskRequest(draws, AmtTestData.Gen(13), w));
        AssertUniform(plan.Masked, plan.NumMasked / 64.0, draws);
        AssertUniform(plan.Thrown, plan.NumThrown / 64.0, draws);
    }

    [Fact]
    public void EpsilonKeepsZeroWeightCellsRandom()
    {
        // Half the cells have weight 0, so they fill the tail of every draw: 28 masked + 4 thrown from the positive
        // half, then 22 thrown + 10 visible from the zero half. Without ε that tail comes in a fixed order (libtorch's
        // multinomial without replacement puts zero weights last in a fixed order; log 0 = −∞ ties the Gumbel keys);
        // with ε it must be a fresh random split.
        const int draws = 400;
        var hot = Enumerable.Range(0, 32).ToArray();
        using var w = AmtTestData.Block(draws, 64, hot, background: 0f);
        using var plan = Strategy(Grid8).Plan(new MaskRequest(draws, AmtTestData.Gen(17), w));
        Assert.Equal(10, plan.NumVisible);
        var visibleSets = new HashSet<string>();
        var visible = plan.Visible.data<long>().ToArray();
        for (int b = 0; b < draws; b++)
        {
            var row = visible.Skip(b * 10).Take(10).ToArray();
            Assert.All(row, i => Assert.True(i >= 32, "a zero-weight cell should be drawn after every positive one"));
            visibleSets.Add(string.Join(",", row));
        }
        Assert.True(visibleSets.Count > draws * 0.9, $"only {visibleSets.Count} distinct visible sets in {draws} draws");
        var freq = AmtTestData.Frequency(plan.Visible, 64);
        for (int i = 32; i < 64; i++)
        {
            Assert.InRange(freq[i], 10 / 32.0 - 0.12, 10 / 32.0 + 0.12);
        }
    }

    [Fact]
    public void InvertedMasksTheLowWeightCells()
    {
        const int draws = 1000;
        int[] hot = AmtTestData.Block3x3On8();
        using var w = AmtTestData.Block(draws, 64, hot);
        using var plan = Strategy(Grid8, AmtVariant.Inverted).Plan(new MaskRequest(draws, AmtTestData.Gen(19), w));
        var masked = AmtTestData.Frequency(plan.Masked, 64);
        var visible = AmtTestData.Frequency(plan.Visible, 64);
        double hotMasked = hot.Average(i => masked[i]);
        double hotVisible = hot.Average(i => visible[i]);
        Assert.True(hotMasked < 0.05, $"inverted prior masked the high-weight block at {hotMasked:F3}");
        Assert.True(hotVisible > 0.95, $"inverted prior kept the high-weight block visible at only {hotVisible:F3}");
    }

    [Fact]
    public void ThrowHighestThrowsTheHighWeightCells()
    {
        const int draws = 1000;
        int[] hot = AmtTestData.Block3x3On8();
        using var w = AmtTestData.Block(draws, 64, hot);
        using var plan = Strategy(Grid8, AmtVariant.ThrowHighest).Plan(new MaskRequest(draws, AmtTestData.Gen(23), w));
        var thrown = AmtTestData.Frequency(plan.Thrown, 64);
        var masked = AmtTestData.Frequency(plan.Masked, 64);
        Assert.True(hot.Average(i => thrown[i]) > 0.95);
        Assert.True(hot.Average(i => masked[i]) < 0.05);
    }

    [Fact]
    public void TopKIsDeterministicByWeightWithSeededTies()
    {
        // Distinct weights: the plan is the top-k split whatever the seed.
        using var w = arange(64, dtype: ScalarType.Float32).unsqueeze(0).expand(3, -1).contiguous() / 64;
        var s = Strategy(Grid8, AmtVariant.TopK);
        using var p1 = s.Plan(new MaskRequest(3, AmtTestData.Gen(1), w));
        using var p2 = s.Plan(new MaskRequest(3, AmtTestData.Gen(2), w));
        using var expectedMasked = arange(36L, 64L).expand(3, -1);
        using var expectedThrown = arange(10L, 36L).expand(3, -1);
        Assert.True(p1.Masked.eq(expectedMasked).all().item<bool>());
        Assert.True(p1.Thrown.eq(expectedThrown).all().item<bool>());
        Assert.True(p2.Masked.eq(expectedMasked).all().item<bool>());

        // All tied: the seed decides, reproducibly.
        using var flat = ones(3, 64);
        using var t1 = s.Plan(new MaskRequest(3, AmtTestData.Gen(1), flat));
        using var t1Again = s.Plan(new MaskRequest(3, AmtTestData.Gen(1), flat));
        using var t2 = s.Plan(new MaskRequest(3, AmtTestData.Gen(2), flat));
        Assert.True(t1.Masked.eq(t1Again.Masked).all().item<bool>());
        Assert.False(t1.Masked.eq(t2.Masked).all().item<bool>());
        Assert.False(t1.Masked[0].eq(arange(28L)).all().item<bool>(), "ties must not resolve by index");
    }

    [Fact]
    public void RandomWithThrowingIgnoresThePrior()
    {
        const int draws = 2000;
        int[] hot = AmtTestData.Block3x3On8();
        using var w = AmtTestData.Block(draws, 64, hot);
        var s = Strategy(Grid8, AmtVariant.RandomWithThrowing);
        Assert.False(s.UsesWeights);
        using var plan = s.Plan(new MaskRequest(draws, AmtTestData.Gen(29), w));
        Assert.Equal(26, plan.NumThrown);
        var masked = AmtTestData.Frequency(plan.Masked, 64);
        Assert.InRange(hot.Average(i => masked[i]), 28 / 64.0 - 0.05, 28 / 64.0 + 0.05);
        using var noWeights = s.Plan(new MaskRequest(4, AmtTestData.Gen(29)));
        Assert.Equal(4, noWeights.BatchSize);
    }

    [Fact]
    public void MissingOrMisshapenWeightsAreAClearError()
    {
        var s = Strategy(Grid8);
        Assert.True(s.UsesWeights);
        var missing = Assert.Throws<ArgumentException>(() => s.Plan(new MaskRequest(2, AmtTestData.Gen(1))));
        Assert.Contains("Weights", missing.Message);
        using var wrong = ones(2, 49);
        var shape = Assert.Throws<ArgumentException>(() => s.Plan(new MaskRequest(2, AmtTestData.Gen(1), wrong)));
        Assert.Contains("[2, 64]", shape.Message);
        using var nan = full(2, 64, float.NaN);
        Assert.Throws<ArgumentException>(() => s.Plan(new MaskRequest(2, AmtTestData.Gen(1), nan)));
    }

    // Σ_j (X_j − Bp)² / (Bp(1 − p)) over the 64 cells is ≈ χ² with ≤ 64 degrees of freedom; 64 + 6·√128 ≈ 132
    // is a > 5σ bound, and a biased draw (e.g. index order) fails it by orders of magnitude.
    private static void AssertUniform(Tensor indices, double p, int draws)
    {
        var freq = AmtTestData.Frequency(indices, 64);
        double chi2 = freq.Sum(f => Math.Pow((f - p) * draws, 2) / (draws * p * (1 - p)));
        Assert.True(chi2 < 132, $"chi-square {chi2:F1} over 64 cells");
        Assert.All(freq, f => Assert.InRange(f, p - 0.05, p + 0.05));
    }
}
