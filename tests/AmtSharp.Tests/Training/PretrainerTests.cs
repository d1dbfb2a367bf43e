using AmtSharp.Amt;
using AmtSharp.Data.Sources;
using AmtSharp.Masking;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Pretraining;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

public sealed class PretrainerTests
{
    internal static PretrainConfig Tiny(MimMethod method = MimMethod.Mae) => TinyPretrain.Config(method);

    internal static SyntheticShapesSource Data(int count = 64) => SyntheticShapesSource.Train(seed: 1, count: count, size: 32);

    [Theory]
    [InlineData(MimMethod.Mae)]
    [InlineData(MimMethod.SimMim)]
    public void AmtRunSwitchesFromRandomMaskingAndRefreshesThePrior(MimMethod method)
    {
        using var dir = new TestUtil.TempDir();
        using var trainer = new Pretrainer(Tiny(method), Data(), dir.Path);
        var result = trainer.Train();

        Assert.True(result.Finished);
        Assert.Equal(4, result.Epochs.Count);
        Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.Loss)));
        Assert.StartsWith("random", result.Epochs[0].Masking);
        Assert.StartsWith("amt", result.Epochs[1].Masking);
        Assert.NotNull(result.Epochs[0].Prior);                     // computed after epoch s − 1 = 0
        Assert.NotNull(result.Epochs[2].Prior);                     // and every 2 epochs, never after the last
        Assert.Null(result.Epochs[3].Prior);
        // The synthetic set knows its objects, so every refresh also scores the prior against them.
        Assert.All(result.Epochs, e => Assert.Equal(e.Prior is null, e.ForegroundOverlap is null));
        Assert.InRange(result.Epochs[0].ForegroundOverlap!.TopQuartileForeground, 0, 1);
        Assert.Equal(64, result.Epochs[0].ForegroundOverlap!.Images);
        Assert.NotNull(result.Epochs[1].MaskingDiagnostics);
        Assert.Equal(2, trainer.Prior.ComputedAtEpoch);
        Assert.True(File.Exists(Path.Combine(dir.Path, "metrics.jsonl")));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(dir.Path, "metrics.jsonl")).Length);
        Assert.True(result.Epochs[1].EncoderTokens < result.Epochs[0].EncoderTokens);   // throwing shortens the encoder input
    }

    [Fact]
    public void InterruptedAndResumedRunEndsWithTheSameWeights()
    {
        var config = Tiny() with { Epochs = 3, Amt = AmtConfig.ForMae() with { StartEpoch = 1, RefreshInterval = 1 } };
        using var straightDir = new TestUtil.TempDir();
        using var resumedDir = new TestUtil.TempDir();

        using var straight = new Pretrainer(config, Data(), straightDir.Path);
        var expected = straight.Train();

        using (var first = new Pretrainer(config, Data(), resumedDir.Path))
        {
            var partial = first.Train(stopAfterSteps: 6);         // 4 batches per epoch: stops mid-epoch 1
            Assert.False(partial.Finished);
        }
        using var second = new Pretrainer(config, Data(), resumedDir.Path);
        var resumed = second.Train(resume: true);

        Assert.True(resumed.Finished);
        Assert.Equal(expected.Steps, resumed.Steps);
        Assert.Equal(expected.Epochs.Select(e => e.Loss), resumed.Epochs.Select(e => e.Loss));
        var a = straight.Module.state_dict();
        var b = second.Module.state_dict();
        foreach (var (name, tensor) in a)
        {
            double diff = (tensor - b[name]).abs().max().item<float>();
            Assert.True(diff <= 1e-6, $"{name} differs by {diff}");
        }
        Assert.Equal(straight.Prior.ToArray(), second.Prior.ToArray());
    }

    [Fact]
    public void SameSeedGivesTheSameLosses()
    {
        var config = Tiny() with { Epochs = 2 };
        using var a = new Pretrainer(config, Data(), observer: null);
        using var b = new Pretrainer(config, Data(), observer: null);
        Assert.Equal(a.Train().Epochs.Select(e => e.Loss), b.Train().Epochs.Select(e => e.Loss));
    }

    [Fact]
    public void NonFiniteLossStopsTheRunAndKeepsTheLastCheckpoint()
    {
        using var dir = new TestUtil.TempDir();
        var config = Tiny() with { Epochs = 3, BaseLr = 1e35, WarmupEpochs = 0, Amt = null };
        using var trainer = new Pretrainer(config, Data(), dir.Path);
        var error = Assert.Throws<NonFiniteLossException>(() => trainer.Train());
        Assert.Contains("epoch", error.Message);
        Assert.Contains("batch", error.Message);
        foreach (var (_, path) in new CheckpointFolder(Path.Combine(dir.Path, "checkpoints")).List())
        {
            CheckpointFile.Verify(path);                          // whatever was saved before stays loadable
        }
    }

    [Fact]
    public void ResumeRefusesACheckpointOfAnotherConfiguration()
    {
        using var dir = new TestUtil.TempDir();
        using (var first = new Pretrainer(Tiny() with { Epochs = 2 }, Data(), dir.Path))
        {
            first.Train(stopAfterSteps: 2);
        }
        using var other = new Pretrainer(Tiny() with { Epochs = 2, WeightDecay = 0.01 }, Data(), dir.Path);
        var error = Assert.Throws<CheckpointException>(() => other.Train(resume: true));
        Assert.Contains("weight_decay", error.Message);
    }

    [Fact]
    public void LoadingARunFolderGivesTheNewestCheckpoint()
    {
        using var dir = new TestUtil.TempDir();
        using var trainer = new Pretrainer(Tiny() with { Epochs = 2, CheckpointEvery = 1, Amt = null }, Data(32), dir.Path);
        trainer.Train();
        Assert.Equal(2, new CheckpointFolder(Path.Combine(dir.Path, "checkpoints")).List().Count);
        using var loaded = PretrainedModel.Load(dir.Path);
        var trained = trainer.Module.state_dict();
        foreach (var (name, tensor) in loaded.Module.state_dict())
        {
            Assert.True(tensor.equal(trained[name]).all().item<bool>(), $"{name} is not the final epoch's");
        }
    }
}

/// <summary>Reads the process-wide live-tensor count, so it runs alone (<see cref="GlobalStateCollection"/>).</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class PretrainerTensorCountTests
{
    [Fact]
    public void TrainingKeepsTheLiveTensorCountFlat()
    {
        // Other tests' garbage must not be finalised during this run and move the count.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var counts = new List<long>();
        var observer = new EpochObserver(() => counts.Add(Tensor.TotalCount));
        using var trainer = new Pretrainer(PretrainerTests.Tiny() with { Epochs = 4 }, PretrainerTests.Data(), observer: observer);
        trainer.Train();
        // At an epoch's end the loader is drained, so the count is exact; after the first epoch (which creates the
        // optimizer state) it must not grow.
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Skip(1), c => Assert.Equal(counts[1], c));
    }

    private sealed class EpochObserver(Action onEpoch) : IPretrainObserver
    {
        public void OnEpoch(EpochReport epoch) => onEpoch();
    }
}
