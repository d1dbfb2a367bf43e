using AmtSharp.Amt;
using AmtSharp.Data.Sources;
using AmtSharp.Models.Vit;
using AmtSharp.Reporting;
using AmtSharp.Reporting.Runs;
using AmtSharp.Reporting.Snapshots;
using AmtSharp.Training.Pretraining;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Reporting;

public sealed class RunReporterTests
{
    internal static PretrainConfig Tiny(MimMethod method = MimMethod.Mae) =>
        AmtSharp.Tests.Training.TinyPretrain.Config(method, refreshInterval: 1) with { Epochs = 3, CheckpointEvery = 1 };

    internal static SyntheticShapesSource Data(int count = 64) => SyntheticShapesSource.Train(seed: 1, count: count, size: 32);

    // The reporter only reads the trainer: a reported run, interrupted and resumed, ends with exactly the weights,
    // losses and prior of a plain uninterrupted run, and its logs cover the whole run once.
    [Fact]
    public void ReportedInterruptedAndResumedRunEndsExactlyAsAPlainStraightRun()
    {
        var config = Tiny();
        using var straightDir = new TestUtil.TempDir();
        using var resumedDir = new TestUtil.TempDir();
        using var straight = new Pretrainer(config, Data(), straightDir.Path);
        var expected = straight.Train();

        using (var first = new Pretrainer(config, Data(), resumedDir.Path))
        using (var firstReporter = new RunReporter(first, new RunReporterOptions(SnapshotImages: 2)))
        {
            Assert.False(first.Train(stopAfterSteps: 6).Finished);          // 4 iterations per epoch: stops in epoch 2
        }
        using var second = new Pretrainer(config, Data(), resumedDir.Path);
        using var reporter = new RunReporter(second, new RunReporterOptions(SnapshotImages: 2));
        var result = second.Train(resume: true);
        reporter.Dispose();

        Assert.True(result.Finished);
        Assert.Equal(expected.Epochs.Select(e => e.Loss), result.Epochs.Select(e => e.Loss));
        AssertSameWeights(straight, second);
        Assert.Equal(straight.Prior.ToArray(), second.Prior.ToArray());
        var steps = StepLog.Read(Path.Combine(resumedDir.Path, RunReporter.StepLogFile));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), steps.Select(s => s.Iteration));
        Assert.Equal(3, reporter.History().Count);
        // Snapshots at initialisation, after each refresh (epochs 1, 2) and at the end (3).
        Assert.Equal([0, 1, 2, 3], reporter.Snapshots.Select(s => s.EpochsDone));
        Assert.True(File.Exists(reporter.LossChartPath));
    }

    [Fact]
    public void SnapshotReconstructionOfAPerfectPredictionIsTheImage()
    {
        // The reconstruction path on its own: a prediction equal to the norm-pix target, de-normalised with the true
        // patch statistics, gives back the image; in SimMIM's layout it is converted first.
        var image = ReportingTestData.Ramp(8).Select((v, i) => v + 0.01f * (i % 7)).ToArray();
        using var t = tensor(image, [1, 3, 8, 8]);
        using var maePatches = AmtSharp.Models.Patches.Patchify(t, 4);
        using var simPatches = AmtSharp.Models.Patches.PatchifyChannelsFirst(t, 4);
        Assert.Equal(maePatches.data<float>().ToArray(), NormPixDenormalizer.ChannelsFirstToMaeLayout(simPatches.data<float>().ToArray(), 4));

        using var target = AmtSharp.Models.Mae.MaskedAutoencoder.NormalisePatches(maePatches);
        var all = target.data<float>().ToArray();
        var restored = NormPixDenormalizer.Denormalize(image, 4, [0, 1, 2, 3], all);
        Assert.All(Enumerable.Range(0, image.Length), i => Assert.Equal(image[i], restored[i], 3));
    }

    [Fact]
    public void NearestVisibleStatisticsComeFromTheClosestVisiblePatches()
    {
        // 4×4 patches of 1 px; patch value = its index (per channel the same). Patch 5 is masked; visible: 0, 1, 4, 15.
        const int size = 4;
        var image = new float[3 * size * size];
        for (int ch = 0; ch < 3; ch++)
        {
            for (int p = 0; p < size * size; p++)
            {
                image[ch * size * size + p] = p;
            }
        }
        var codes = Enumerable.Repeat(-1, 16).ToArray();
        codes[5] = 1;
        foreach (int v in new[] { 0, 1, 4, 15 })
        {
            codes[v] = 0;
        }
        var restored = NormPixDenormalizer.DenormalizeFromVisible(image, 1, [5], new float[3], codes);
        // The four nearest visible patches of patch 5 (row 1, col 1) are 1, 4 (distance 1) and 0 (√2), then 15; zero
        // prediction → their mean of means (0 + 1 + 4 + 15) / 4 = 5.
        Assert.Equal(5f, restored[5], 4);
        var near = NormPixDenormalizer.DenormalizeFromVisible(image, 1, [5], new float[3], codes.Select((c, i) => i == 15 ? -1 : c).ToArray());
        Assert.Equal((0 + 1 + 4) / 3f, near[5], 4);
        Assert.Throws<ArgumentException>(() => NormPixDenormalizer.DenormalizeFromVisible(image, 1, [5], new float[3], Enumerable.Repeat(1, 16).ToArray()));
    }

    [Fact]
    public void EvaluationLogIsOnlyWrittenInsideARunFolder()
    {
        using var dir = new TestUtil.TempDir();
        string lone = Path.Combine(dir.Path, "model.amtckpt");
        File.WriteAllText(lone, "x");
        Assert.Null(EvaluationRecorder.ForCheckpoint(lone, "linprobe"));
        Assert.Null(EvaluationRecorder.ForCheckpoint(dir.Path, "linprobe"));
    }

    private static void AssertSameWeights(Pretrainer a, Pretrainer b)
    {
        var sa = a.Module.state_dict();
        var sb = b.Module.state_dict();
        foreach (var (name, tensor) in sa)
        {
            Assert.True(tensor.equal(sb[name]).all().item<bool>(), $"{name} differs");
        }
    }
}

/// <summary>Reads the process-wide live-tensor count and the global generator, so it runs alone (<see cref="GlobalStateCollection"/>).</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class SnapshotTensorCountTests
{
    [Theory]
    [InlineData(MimMethod.Mae)]
    [InlineData(MimMethod.SimMim)]
    public void SnapshotRestoresTheModeAndLeavesNoTensorOrRandomStateBehind(MimMethod method)
    {
        var config = RunReporterTests.Tiny(method);
        var (module, model) = MimFactory.CreateModel(config);
        using (module)
        {
            var images = SnapshotImages.Pick(RunReporterTests.Data(), 4, 32);
            var strategy = new AmtSchedule(config.Epochs, config.Amt!, MimFactory.Grid(config)).StrategyFor(2);
            module.train();
            var priors = MaskingSnapshot.Attention(model, images);
            var request = new SnapshotRequest(model, strategy, priors, 7);
            MaskingSnapshot.Take(images, request);                 // warm up lazily created state

            torch.manual_seed(11);
            using var expected = torch.rand(5);
            torch.manual_seed(11);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = Tensor.TotalCount;
            var snapshot = MaskingSnapshot.Take(images, request);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.Equal(before, Tensor.TotalCount);
            using var actual = torch.rand(5);
            Assert.True(expected.allclose(actual), "the snapshot used the global random generator");
            Assert.True(module.training);

            Assert.Equal(4, snapshot.Masking.Count);
            Assert.True(double.IsFinite(snapshot.Loss));
            var counts = strategy.Counts;
            var grid = MimFactory.Grid(config);
            int perCell = grid.UnitPatches * grid.UnitPatches;
            foreach (var row in snapshot.Masking)
            {
                Assert.Equal(counts.Thrown * perCell, row.Codes.Count(c => c == -1));
                Assert.Equal(counts.Masked * perCell, row.Codes.Count(c => c == 1));
                Assert.All(row.Reconstruction!, v => Assert.True(float.IsFinite(v) && v is >= 0 and <= 1));
                // Visible patches of the reconstruction are the image itself.
                int patch = 4, g = 8;
                for (int p = 0; p < g * g; p++)
                {
                    if (row.Codes[p] == 0)
                    {
                        int i = (p / g * patch) * 32 + p % g * patch;
                        Assert.Equal(row.Image[i], row.Reconstruction![i]);
                    }
                }
            }
            // Same seed, same plan: pictures of the same epoch are reproducible.
            Assert.Equal(snapshot.Masking[0].Codes, MaskingSnapshot.Take(images, request).Masking[0].Codes);
        }
    }
}
