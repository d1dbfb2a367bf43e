using AmtSharp.Data.Sources;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;
using Xunit;

namespace AmtSharp.Tests.Training;

/// <summary>
/// Issue 12, items 4 and 7: a resume names what it continues from, never passes over a damaged newest checkpoint
/// silently, and leaves each epoch in metrics.jsonl exactly once.
/// </summary>
public sealed class ResumeSafetyTests : IDisposable
{
    private static readonly PretrainConfig Config = TinyPretrain.Config() with { Epochs = 3, CheckpointEvery = 1, Amt = null };

    private readonly TestUtil.TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private CheckpointFolder Checkpoints => new(Path.Combine(dir.Path, "checkpoints"));

    private static SyntheticShapesSource Data() => SyntheticShapesSource.Train(seed: 1, count: 64, size: 32);

    // Three epochs, a checkpoint after each; the tests then damage some and resume.
    private void TrainThreeEpochs()
    {
        using var trainer = new Pretrainer(Config, Data(), dir.Path);
        trainer.Train();
    }

    /// <summary>Damages a checkpoint file: truncated, deleted, bit-flipped, or rewritten with a NaN in an encoder weight.</summary>
    internal static void Damage(string path, string kind)
    {
        switch (kind)
        {
            case "truncated":
                using (var fs = new FileStream(path, FileMode.Open))
                {
                    fs.SetLength(fs.Length / 2);
                }
                break;
            case "deleted":
                File.Delete(path);
                break;
            case "bit-flipped":
                byte[] bytes = File.ReadAllBytes(path);
                bytes[bytes.Length - 100] ^= 0x10;
                File.WriteAllBytes(path, bytes);
                break;
            case "non-finite":
                // Rewritten in the same format with one NaN weight, as a run that diverged before weights were checked left it.
                using (var loaded = CheckpointFile.Load(path))
                using (var data = new CheckpointData())
                {
                    foreach (var (key, value) in loaded.Metadata)
                    {
                        data.Metadata[key] = value?.DeepClone();
                    }
                    bool poisoned = false;
                    foreach (var (name, tensor) in loaded.Tensors)
                    {
                        var copy = tensor.clone();
                        if (!poisoned && name.StartsWith("model/encoder.blocks.", StringComparison.Ordinal) && copy.is_floating_point())
                        {
                            copy.view(-1)[0] = float.NaN;
                            poisoned = true;
                        }
                        data.AddTensor(name, copy, owned: true);
                    }
                    foreach (var (name, array) in loaded.Arrays)
                    {
                        data.AddArray(name, array);
                    }
                    CheckpointFile.Save(path, data);
                }
                break;
        }
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("bit-flipped")]
    [InlineData("non-finite")]
    [InlineData("deleted")]
    public void ADamagedNewestCheckpointIsNamedAndOnlyPassedOverWhenAsked(string kind)
    {
        TrainThreeEpochs();
        var all = Checkpoints.List();
        string newest = all[0].Path, older = all[1].Path;
        Damage(newest, kind);

        using (var refused = new Pretrainer(Config, Data(), dir.Path))
        {
            var e = Assert.Throws<CheckpointException>(() => refused.ResumeFrom(new ResumeOptions()));
            Assert.Equal(newest, e.FilePath);
            Assert.Contains($"the newest intact checkpoint is {older}: pass «ResumeFromOlder»", e.Message);
        }

        var notes = new List<string>();
        using var trainer = new Pretrainer(Config, Data(), dir.Path);
        trainer.ResumeFrom(new ResumeOptions(FromOlder: true, Note: notes.Add));
        Assert.Contains(notes, n => n.StartsWith($"resume: skipping the damaged checkpoint {newest}: ", StringComparison.Ordinal));
        Assert.Contains($"resume: from {older}: 2 epoch(s) done, step ", notes[^1]);
    }

    [Fact]
    public void WithEveryCheckpointDamagedEachFileIsListed()
    {
        TrainThreeEpochs();
        foreach (var (_, path) in Checkpoints.List())
        {
            Damage(path, "truncated");
        }
        using var trainer = new Pretrainer(Config, Data(), dir.Path);
        var e = Assert.Throws<CheckpointException>(() => trainer.ResumeFrom(new ResumeOptions(FromOlder: true)));
        Assert.Contains("holds no usable checkpoint: 3 damaged checkpoints", e.Message);
        foreach (var (_, path) in Checkpoints.List())
        {
            Assert.Contains(Path.GetFileName(path), e.Message);
        }
    }

    /// <summary>Stops the process's work right after an epoch's metrics line, before its checkpoint: a kill at the worst moment.</summary>
    private sealed class KillAfterMetrics(int atEpoch) : IPretrainObserver
    {
        public void OnEpoch(EpochReport epoch)
        {
            if (epoch.Epoch == atEpoch)
            {
                throw new OperationCanceledException("killed");
            }
        }
    }

    [Fact]
    public void AResumeAfterAKillBetweenMetricsAndCheckpointLogsEachEpochOnce()
    {
        using (var killed = new Pretrainer(Config, Data(), dir.Path, new KillAfterMetrics(atEpoch: 1)))
        {
            Assert.Throws<OperationCanceledException>(() => killed.Train());
        }
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir.Path, RunFolder.MetricsFile)).Length);                // epochs 1 and 2 logged, only epoch 1 checkpointed
        PretrainResult result;
        using (var resumed = new Pretrainer(Config, Data(), dir.Path))
        {
            result = resumed.Train(resume: true);
        }
        Assert.Equal([0, 1, 2], result.Epochs.Select(e => e.Epoch));
        using var folder = RunFolder.Open(dir.Path, RunFolderOpening.Reuse);
        Assert.Equal([0, 1, 2], folder.ReadMetrics().Select(m => m.GetProperty("epoch").GetInt32()));
    }
}
