using AmtSharp.Amt;
using AmtSharp.Masking;
using Xunit;

namespace AmtSharp.Tests.Amt;

public sealed class CountsAndConfigTests
{
    [Fact]
    public void MaeCountsAtVitB16AreTheOfficialOnes()
    {
        Assert.Equal(new MaskCounts(88, 78, 30), AmtConfig.ForMae().Counts(196));
    }

    [Fact]
    public void SimMimCountsOnUnitsAreTheOfficialOnes()
    {
        var grid = MaskGrid.ForUnits(224, 16, 32);
        var units = AmtConfig.ForSimMim().Counts(grid.Cells);
        Assert.Equal(new MaskCounts(22, 13, 14), units);
        Assert.Equal(new MaskCounts(88, 52, 56), ComputeAccounting.InPatches(units, grid));
        var strategy = AmtConfig.ForSimMim().Strategy(grid);
        using var w = AmtTestData.Gaussian(2, 7, 1.5);
        using var plan = strategy.Plan(new MaskRequest(2, AmtTestData.Gen(1), w));
        Assert.Equal((88, 52, 56), (plan.NumMasked, plan.NumThrown, plan.NumVisible));
    }

    [Fact]
    public void MaeCountsAt32PxPatch4()
    {
        Assert.Equal(new MaskCounts(28, 26, 10), AmtConfig.ForMae().Counts(64));
    }

    [Fact]
    public void FloatingPointGuardKeepsExactProductsExact()
    {
        // 0.57 · 100 = 56.99999999999999 and (0.1 + 0.2) · 10 = 3.0000000000000004 in doubles.
        Assert.Equal(57, MaskCounts.From(0.57, 0, 100, Rounding.Floor).Masked);
        Assert.Equal(3, MaskCounts.From(0.1 + 0.2, 0, 10, Rounding.Ceil).Masked);
        // 0.45 + 0.40 = 0.8500000000000001: ⌊0.85 · 20⌋ must stay 17.
        Assert.Equal(new MaskCounts(9, 8, 3), MaskCounts.From(0.45, 0.40, 20, Rounding.Floor));
    }

    [Fact]
    public void PresetsHoldTheOfficialSettings()
    {
        var mae = AmtConfig.ForMae();
        Assert.Equal((0.45, 0.40, 0.75, 0.1, 0.1, Rounding.Floor), (mae.MaskRatio, mae.ThrowRatio, mae.WarmupMaskRatio, mae.StartFraction, mae.RefreshFraction, mae.Rounding));
        var sim = AmtConfig.ForSimMim();
        Assert.Equal((0.44, 0.26, 0.6, 0.2, 0.2, Rounding.Ceil), (sim.MaskRatio, sim.ThrowRatio, sim.WarmupMaskRatio, sim.StartFraction, sim.RefreshFraction, sim.Rounding));
        Assert.Equal(1e-6, mae.Epsilon);
        Assert.Equal(AmtVariant.Attention, mae.Variant);
    }

    [Fact]
    public void MaskPlusThrowOfOneIsRefused()
    {
        var ex = Assert.Throws<ConfigException>(() => (AmtConfig.ForMae() with { MaskRatio = 0.6, ThrowRatio = 0.4 }).Validate(196));
        Assert.Equal(nameof(AmtConfig.ThrowRatio), ex.Setting);
        Assert.Contains("MaskRatio", ex.Message);
        Assert.Contains("ThrowRatio", ex.Message);
    }

    [Fact]
    public void NoVisiblePatchIsRefused()
    {
        // Ceil on 16 units: ⌈0.5·16⌉ + ⌈0.45·16⌉ = 8 + 8 = 16, nothing left visible.
        var config = AmtConfig.ForSimMim() with { MaskRatio = 0.5, ThrowRatio = 0.45 };
        var ex = Assert.Throws<ConfigException>(() => config.Validate(16));
        Assert.Equal(nameof(AmtConfig.ThrowRatio), ex.Setting);
        Assert.Contains("no visible patch", ex.Message);
    }

    [Fact]
    public void NothingMaskedIsRefused()
    {
        var ex = Assert.Throws<ConfigException>(() => (AmtConfig.ForMae() with { MaskRatio = 0.01, ThrowRatio = 0.5 }).Validate(64));
        Assert.Equal(nameof(AmtConfig.MaskRatio), ex.Setting);
        Assert.Contains("MaskRatio", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveRefreshIntervalIsRefused(int interval)
    {
        var ex = Assert.Throws<ConfigException>(() => (AmtConfig.ForMae() with { RefreshInterval = interval }).Validate(196, 100));
        Assert.Equal(nameof(AmtConfig.RefreshInterval), ex.Setting);
        Assert.StartsWith("RefreshInterval: ", ex.Message);
    }

    [Fact]
    public void StartBeyondTheRunIsRefused()
    {
        var ex = Assert.Throws<ConfigException>(() => new AmtSchedule(20, AmtConfig.ForMae() with { StartEpoch = 20 }, new MaskGrid(14)));
        Assert.Equal(nameof(AmtConfig.StartEpoch), ex.Setting);
        Assert.StartsWith("StartEpoch: ", ex.Message);
    }

    [Theory]
    [InlineData(1.2, 0.1, nameof(AmtConfig.StartFraction))]
    [InlineData(-0.1, 0.1, nameof(AmtConfig.StartFraction))]
    [InlineData(0.1, 0.0, nameof(AmtConfig.RefreshFraction))]
    [InlineData(0.1, 1.5, nameof(AmtConfig.RefreshFraction))]
    public void FractionsOutOfRangeAreRefused(double fs, double fk, string option)
    {
        var ex = Assert.Throws<ConfigException>(() => (AmtConfig.ForMae() with { StartFraction = fs, RefreshFraction = fk }).Validate(196, 100));
        Assert.Equal(option, ex.Setting);
        Assert.StartsWith(option + ": ", ex.Message);
    }

    [Fact]
    public void UnitsThatDoNotTileTheImageAreRefused()
    {
        var ex = Assert.Throws<ConfigException>(() => MaskGrid.ForUnits(224, 16, 48));
        Assert.Equal("MaskUnit", ex.Setting);
        Assert.StartsWith("MaskUnit: ", ex.Message);
        Assert.Contains("tile", ex.Message);
    }

    [Fact]
    public void RandomMaeMaskingThatKeepsNothingIsRefused()
    {
        // ⌊64 · 0.99⌋ = 63 masked by the floor check, but MAE keeps ⌊64 · 0.01⌋ = 0.
        var ex = Assert.Throws<ConfigException>(() => RandomMasking.Mae(8, 0.99, nameof(AmtConfig.WarmupMaskRatio)));
        Assert.Equal(nameof(AmtConfig.WarmupMaskRatio), ex.Setting);
    }
}
