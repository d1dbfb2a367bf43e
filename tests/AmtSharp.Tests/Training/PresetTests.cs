using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Training.Pretraining;
using Xunit;

namespace AmtSharp.Tests.Training;

public sealed class PresetTests
{
    public static TheoryData<string> Names => new(PretrainPresets.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryPresetIsAValidConfiguration(string name)
    {
        var preset = PretrainPresets.Get(name);
        Assert.Equal(name, preset.Name);
        Assert.False(string.IsNullOrWhiteSpace(preset.Description));
        preset.Config.Validate(datasetSize: 1_000_000);
    }

    [Fact]
    public void PaperMaeAmtFollowsTheSpec()
    {
        var c = PretrainPresets.PaperMaeAmt.Config;
        Assert.Equal(MimMethod.Mae, c.Method);
        Assert.Equal((224, 16, 768, 12, 12), (c.Encoder.ImageSize, c.Encoder.PatchSize, c.Encoder.Width, c.Encoder.Depth, c.Encoder.Heads));
        Assert.Equal((512, 8, 16), (c.DecoderWidth, c.DecoderDepth, c.DecoderHeads));
        Assert.True(c.NormPixLoss);
        Assert.Equal(400, c.Epochs);
        Assert.Equal(4096, c.EffectiveBatch);
        Assert.Equal(1.5e-4, c.BaseLr);
        Assert.Equal(2.4e-3, c.BaseLr * c.EffectiveBatch / 256, 12);
        Assert.Equal(40, c.WarmupEpochs);
        Assert.Equal((0.05, 0.95, 0.0, 0.2), (c.WeightDecay, c.Beta2, c.ClipGrad, c.CropScaleMin));
        var amt = c.Amt!;
        Assert.Equal((0.45, 0.40, 0.75), (amt.MaskRatio, amt.ThrowRatio, amt.WarmupMaskRatio));
        Assert.Equal((40, 40), (amt.ResolveStart(c.Epochs), amt.ResolveInterval(c.Epochs)));
        // The worked values of docs/method.md#counts for ViT-B/16.
        Assert.Equal(new MaskCounts(88, 78, 30), amt.Counts(MimFactory.Grid(c).Cells));
    }

    [Fact]
    public void PaperSimMimAmtFollowsTheSpec()
    {
        var c = PretrainPresets.PaperSimMimAmt.Config;
        Assert.Equal(MimMethod.SimMim, c.Method);
        Assert.Equal((224, 16, 768, 12), (c.Encoder.ImageSize, c.Encoder.PatchSize, c.Encoder.Width, c.Encoder.Depth));
        Assert.Equal(32, c.SimMimModel.ResolvedMaskUnit);
        Assert.Equal(200, c.Epochs);
        Assert.Equal(2048, c.EffectiveBatch);
        Assert.Equal(1e-4 * 2048 / 512, c.BaseLr * c.EffectiveBatch / 256, 12);    // SimMIM's lr rule
        Assert.Equal(10, c.WarmupEpochs);
        Assert.Equal((0.999, 5.0, 0.67), (c.Beta2, c.ClipGrad, c.CropScaleMin));
        var amt = c.Amt!;
        Assert.Equal((0.44, 0.26), (amt.MaskRatio, amt.ThrowRatio));
        Assert.Equal((40, 40), (amt.ResolveStart(c.Epochs), amt.ResolveInterval(c.Epochs)));
        Assert.Equal(new MaskCounts(22, 13, 14), amt.Counts(MimFactory.Grid(c).Cells));
    }

    [Theory]
    [InlineData("paper-mae", "paper-mae-amt", 0.75)]
    [InlineData("paper-simmim", "paper-simmim-amt", 0.6)]
    [InlineData("cifar-mae", "cifar-mae-amt", 0.75)]
    [InlineData("cifar-simmim", "cifar-simmim-amt", 0.6)]
    public void BaselinesDifferFromTheirAmtPresetOnlyInMasking(string baseline, string withAmt, double randomRatio)
    {
        var b = PretrainPresets.Get(baseline).Config;
        var a = PretrainPresets.Get(withAmt).Config;
        Assert.Null(b.Amt);
        Assert.NotNull(a.Amt);
        Assert.Equal(randomRatio, b.MaskRatio);
        Assert.Equal(a with { Amt = null, MaskRatio = randomRatio }, b);
    }

    [Theory]
    [InlineData("cifar-mae-amt")]
    [InlineData("cifar-simmim-amt")]
    public void CifarPresetsAreCpuSized(string name)
    {
        var c = PretrainPresets.Get(name).Config;
        Assert.Equal((32, 4, 192, 6, 3), (c.Encoder.ImageSize, c.Encoder.PatchSize, c.Encoder.Width, c.Encoder.Depth, c.Encoder.Heads));
        Assert.Equal(64, c.Encoder.NumPatches);
        Assert.Equal(1, c.Accumulation);
        Assert.Equal(0.1 * c.Epochs, c.WarmupEpochs);
    }

    [Fact]
    public void WithoutAPresetTheMethodPicksTheCpuSizedOne()
    {
        Assert.Same(PretrainPresets.CifarMaeAmt, PretrainPresets.DefaultFor(MimMethod.Mae));
        Assert.Same(PretrainPresets.CifarSimMimAmt, PretrainPresets.DefaultFor(MimMethod.SimMim));
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ConfigException>(() => PretrainPresets.Get("paper-mea-amt"));
        Assert.Equal("Preset", e.Setting);
        Assert.Contains("'paper-mea-amt'", e.Message);
        Assert.Contains("paper-mae-amt", e.Message);
        Assert.Contains("demo", e.Message);
    }

    [Fact]
    public void WithEpochsKeepsTheWarmupShare()
    {
        var c = PretrainPresets.PaperMaeAmt.Config.WithEpochs(100);
        Assert.Equal(100, c.Epochs);
        Assert.Equal(10, c.WarmupEpochs);
        Assert.Equal(PretrainPresets.PaperMaeAmt.Config with { Epochs = 100, WarmupEpochs = 10 }, c);
        Assert.Equal(0.4, PretrainPresets.Demo.Config.WithEpochs(4).WarmupEpochs, 12);
    }
}
