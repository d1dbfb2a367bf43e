using AmtSharp.Data.Sources;
using AmtSharp.Training;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Pretraining;
using TorchSharp;
using Xunit;

namespace AmtSharp.Tests.Training;

/// <summary>Issue 12, item 3: a diverged run never leaves a poisoned checkpoint as its "last good" one, and can be rescued with a lower lr.</summary>
public sealed class NonFiniteStopTests
{
    private static PretrainConfig Config => TinyPretrain.Config() with { Epochs = 3, CheckpointEvery = 1, Amt = null };

    private static SyntheticShapesSource Data() => SyntheticShapesSource.Train(seed: 1, count: 64, size: 32);

    /// <summary>Puts a NaN into the first weight at the end of the given epoch, after its metrics and before its checkpoint.</summary>
    private sealed class Poison(Pretrainer trainer, int atEpoch) : IPretrainObserver
    {
        public void OnEpoch(EpochReport epoch)
        {
            if (epoch.Epoch == atEpoch)
            {
                using var _ = torch.no_grad();
                trainer.Module.parameters().First().view(-1)[0] = float.NaN;
            }
        }
    }

    [Fact]
    public void NonFiniteWeightsAreNeverCheckpointedAndTheLastFiniteCheckpointIsNamed()
    {
        using var dir = new TestUtil.TempDir();
        var folder = new CheckpointFolder(Path.Combine(dir.Path, "checkpoints"));
        using (var trainer = new Pretrainer(Config, Data(), dir.Path))
        {
            trainer.AddObserver(new Poison(trainer, atEpoch: 1));
            var stop = Assert.Throws<NonFiniteWeightsException>(() => trainer.Train());
            Assert.IsAssignableFrom<RunStoppedException>(stop);
            string first = folder.PathFor(1_000_000);
            Assert.Equal(first, stop.LastFiniteCheckpoint);
            Assert.Contains($"The last finite checkpoint is {first}", stop.Message);
            Assert.Equal(1, stop.Count);
        }
        var written = Assert.Single(folder.List());
        using var checkpoint = CheckpointFile.Load(written.Path);
        Assert.Equal(0, Finiteness.Check(checkpoint.Tensors, checkpoint.Arrays).Count);
    }

    [Fact]
    public void ResumeAcceptsALowerLearningRateAndSaysSo()
    {
        using var dir = new TestUtil.TempDir();
        using (var trainer = new Pretrainer(Config, Data(), dir.Path))
        {
            trainer.AddObserver(new Poison(trainer, atEpoch: 1));
            Assert.Throws<NonFiniteWeightsException>(() => trainer.Train());
        }
        var notes = new List<string>();
        using var rescued = new Pretrainer(Config with { BaseLr = Config.BaseLr / 10, MinLr = 1e-6 }, Data(), dir.Path);
        rescued.ResumeFrom(new ResumeOptions(Note: notes.Add));
        var result = rescued.Train(resume: true);
        Assert.True(result.Finished);
        Assert.Contains(notes, n => n.StartsWith("resume: base_lr changed from 0.001 to 0.0001", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("resume: min_lr changed", StringComparison.Ordinal));
    }
}
