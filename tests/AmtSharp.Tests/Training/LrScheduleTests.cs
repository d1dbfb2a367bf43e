using AmtSharp.Training.Optim;
using Xunit;

namespace AmtSharp.Tests.Training;

public sealed class LrScheduleTests
{
    private static readonly LrSchedule Mae = new(BaseLr: 1.5e-4, EffectiveBatch: 4096, WarmupEpochs: 40, Epochs: 400, MinLr: 0);

    [Fact]
    public void PeakLrScalesWithBatch() => Assert.Equal(2.4e-3, Mae.PeakLr, 15);

    [Fact]
    public void WarmupIsLinearPerIteration()
    {
        Assert.Equal(0.0, Mae.LrAt(0));
        double tau = LrSchedule.Tau(epoch: 10, iteration: 50, itersPerEpoch: 100);
        Assert.Equal(10.5, tau);
        Assert.Equal(2.4e-3 * 10.5 / 40, Mae.LrAt(tau), 15);
    }

    [Fact]
    public void CosineFromPeakToMin()
    {
        var s = Mae with { MinLr = 1e-5 };
        Assert.Equal(2.4e-3, s.LrAt(40), 15);
        Assert.Equal(1e-5 + (2.4e-3 - 1e-5) * 0.5, s.LrAt(220), 15);
        Assert.Equal(1e-5, s.LrAt(400), 15);
        Assert.Equal(1e-5, s.LrAt(450), 15); // past the end stays at min
        Assert.True(s.LrAt(100) > s.LrAt(101));
    }

    [Fact]
    public void ApplySetsEachGroupToLrTimesScale()
    {
        using var m = new TinyVit(depth: 2);
        var groups = ParamGroups.LayerDecay(m, 2, 0.75, 0.05);
        using var opt = AdamWFactory.Create(groups, new AdamWConfig(1.0));
        var scales = ParamGroups.Scales(groups);
        double lr = Mae.Apply(opt, scales, 20.0);
        Assert.Equal(Mae.LrAt(20.0), lr);
        int i = 0;
        foreach (var g in opt.ParamGroups)
        {
            Assert.Equal(lr * scales[i++], g.LearningRate, 15);
        }
        Assert.Throws<ArgumentException>(() => Mae.Apply(opt, scales[1..], 1.0));
    }
}
