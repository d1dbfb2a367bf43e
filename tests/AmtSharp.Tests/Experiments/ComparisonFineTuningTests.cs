using AmtSharp.Data.Sources;
using AmtSharp.Experiments;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Runs;
using Xunit;

namespace AmtSharp.Tests.Experiments;

/// <summary>A finished fine-tuning is read back only when it ran the study's recipe.</summary>
public sealed class ComparisonFineTuningTests
{
    [Fact]
    public void TheRecipeKeepsThePresetsWarmupShareAndScoresThreeTimes()
    {
        var r = ComparisonFineTuning.Recipe(30);
        Assert.Equal(30, r.Epochs);
        Assert.Equal(3, r.WarmupEpochs);                   // 5 of the preset's 50
        Assert.Equal(10, r.EvalEvery);
        Assert.Equal(FineTunePresets.Cifar.Config with { Epochs = 30, WarmupEpochs = 3, EvalEvery = 10 }, r);
    }

    [Fact]
    public void AFinishedRunIsReadBackOnlyWithTheSameRecipeSeedAndShape()
    {
        using var dir = new TestUtil.TempDir();
        var shape = new VitConfig(32, 4, 3, Width: 32, Depth: 2, Heads: 2);
        var recipe = ComparisonFineTuning.Recipe(6) with { Seed = 2, Encoder = shape };
        var result = new FineTuneResult(6, 60, 0.41, 0.9, 1.6, 0.43, 4, [], null, 12, 3, 2000, 500, 10);
        var run = RunFolder.Open(dir.Path, RunFolderOpening.Reuse with { Command = "finetune" });
        run.WriteConfig(recipe);
        run.WriteFinal(result);
        run.Dispose();
        var train = SyntheticShapesSource.Train(seed: 1, count: 8, size: 32, classes: 2);
        var test = SyntheticShapesSource.Test(seed: 1, count: 4, size: 32, classes: 2);

        var read = ComparisonFineTuning.Run(recipe, null, train, test, dir.Path, null, default);
        Assert.Equal(0.41, read.Top1);
        Assert.Equal(0.43, read.BestTop1);
        Assert.Equal(ComparisonFineTuning.Describe(recipe), read.Recipe);

        foreach (var other in new[] { recipe with { Epochs = 7 }, recipe with { Seed = 3 }, recipe with { BaseLr = 5e-4 }, recipe with { Encoder = shape with { Width = 64 } } })
        {
            var e = Assert.Throws<CheckpointException>(() => ComparisonFineTuning.Run(other, null, train, test, dir.Path, null, default));
            Assert.Contains("final.json", e.Message);
            Assert.Contains("another recipe or seed", e.Message);
        }
    }
}
