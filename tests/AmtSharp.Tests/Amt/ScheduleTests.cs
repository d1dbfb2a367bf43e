using AmtSharp.Amt;
using AmtSharp.Masking;
using Xunit;

namespace AmtSharp.Tests.Amt;

public sealed class ScheduleTests
{
    private static readonly MaskGrid MaeGrid = new(14);
    private static readonly MaskGrid SimMimGrid = MaskGrid.ForUnits(224, 16, 32);

    public static TheoryData<string, int, int, int, int[]> Tables => new()
    {
        { "mae", 400, 40, 40, [39, 79, 119, 159, 199, 239, 279, 319, 359] },
        { "mae", 20, 2, 2, [1, 3, 5, 7, 9, 11, 13, 15, 17] },
        { "simmim", 10, 2, 2, [1, 3, 5, 7] },
        { "simmim", 200, 40, 40, [39, 79, 119, 159] },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void RefreshEpochsReproduceTheMethodTables(string method, int epochs, int s, int k, int[] refreshes)
    {
        var schedule = Make(method, epochs);
        Assert.Equal(s, schedule.StartEpoch);
        Assert.Equal(k, schedule.RefreshInterval);
        Assert.Equal(refreshes, schedule.RefreshEpochs);
        Assert.Equal((epochs - 1 - s) / k + 1, schedule.RefreshEpochs.Count);
        for (int e = 0; e < epochs; e++)
        {
            Assert.Equal(refreshes.Contains(e), schedule.RefreshAfterEpoch(e));
            Assert.Equal(e >= s, schedule.IsAmtActive(e));
        }
        Assert.False(schedule.RefreshAfterEpoch(epochs - 1));
    }

    [Fact]
    public void WarmupIsRandomMaskingAndAmtStartsAtS()
    {
        var mae = Make("mae", 20);
        var warm = Assert.IsType<RandomMasking>(mae.StrategyFor(1));
        Assert.Equal(new MaskCounts(147, 0, 49), warm.Counts);
        var amt = Assert.IsType<AmtMasking>(mae.StrategyFor(2));
        Assert.Equal(new MaskCounts(88, 78, 30), amt.Counts);
        Assert.Same(amt, mae.StrategyFor(19));

        var sim = Make("simmim", 10);
        var simWarm = Assert.IsType<RandomMasking>(sim.StrategyFor(0));
        Assert.Equal(new MaskCounts(30, 0, 19), simWarm.Counts);          // ⌈0.6 · 49⌉ units
        Assert.Equal(SimMimGrid, simWarm.Grid);
        var simAmt = Assert.IsType<AmtMasking>(sim.StrategyFor(2));
        Assert.Equal(new MaskCounts(22, 13, 14), simAmt.Counts);
    }

    [Fact]
    public void ExplicitEpochsReplicateTheOfficialSchedule()
    {
        var schedule = new AmtSchedule(400, AmtConfig.ForMae() with { StartEpoch = 41, RefreshInterval = 40 }, MaeGrid);
        Assert.Equal([40, 80, 120, 160, 200, 240, 280, 320, 360], schedule.RefreshEpochs);
        Assert.False(schedule.IsAmtActive(40));
        Assert.True(schedule.IsAmtActive(41));
    }

    private static AmtSchedule Make(string method, int epochs) => method == "mae"
        ? new AmtSchedule(epochs, AmtConfig.ForMae(), MaeGrid)
        : new AmtSchedule(epochs, AmtConfig.ForSimMim(), SimMimGrid);
}
