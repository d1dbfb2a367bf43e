using AmtSharp.Data.Sources;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Optim;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

public sealed class ClassifierTests
{
    private static readonly VitConfig Shape = new(16, 4, 3, 16, 3, 2);

    private static VisionTransformer Encoder()
    {
        var vit = new VisionTransformer(Shape);
        using var g = WeightInit.Generator(4);
        vit.InitWeights(g);
        return vit;
    }

    [Theory]
    [InlineData(VitPooling.GlobalAverage)]
    [InlineData(VitPooling.Cls)]
    public void FromEncoderCopiesTheEncoderAndAddsAFreshHeadUnderTimmNames(VitPooling pooling)
    {
        using var encoder = Encoder();
        var config = new FineTuneConfig { Pooling = pooling, HeadInitStd = 2e-5, Seed = 1 };
        using var model = ClassifierFactory.FromEncoder(encoder, 7, config);
        var state = model.state_dict();
        var encoderState = encoder.state_dict();
        var expectedKeys = encoderState.Keys.Where(k => pooling == VitPooling.Cls || !k.StartsWith("norm.", StringComparison.Ordinal))
            .Concat(["head.weight", "head.bias"])
            .Concat(pooling == VitPooling.GlobalAverage ? ["fc_norm.weight", "fc_norm.bias"] : Array.Empty<string>());
        Assert.Equal(expectedKeys.Order(), state.Keys.Order());
        foreach (var (key, t) in encoderState.Where(kv => state.ContainsKey(kv.Key)))
        {
            Assert.True(t.equal(state[key]).all().item<bool>(), key);
        }
        Assert.Equal(new long[] { 7, 16 }, state["head.weight"].shape);
        Assert.InRange(state["head.weight"].abs().max().item<float>(), 1e-7, 1e-4);   // N(0, 2e-5)
        Assert.Equal(0, state["head.bias"].abs().max().item<float>());
        Assert.True(model.named_parameters().All(p => p.parameter.requires_grad));   // the whole network trains, pos_embed too

        using var images = randn(3, 3, 16, 16);
        model.eval();                                                                 // training mode needs a drop-path generator
        using var logits = model.Classify(images);
        Assert.Equal(new long[] { 3, 7 }, logits.shape);
    }

    [Fact]
    public void LayerDecayGivesEachLayerItsLrScaleAndSparesNormsBiasesAndTokens()
    {
        using var encoder = Encoder();
        using var model = ClassifierFactory.FromEncoder(encoder, 4, new FineTuneConfig());
        var groups = ParamGroups.LayerDecay(model, Shape.Depth, 0.75, 0.05);
        double ScaleOf(string name) => groups.Single(g => g.ParameterNames.Contains(name)).LrScale;
        double DecayOf(string name) => groups.Single(g => g.ParameterNames.Contains(name)).WeightDecay;
        // n = depth + 1 = 4: embeddings 0.75^4, block k 0.75^(3 − k), fc_norm and head 1.
        Assert.Equal(Math.Pow(0.75, 4), ScaleOf("cls_token"), 12);
        Assert.Equal(Math.Pow(0.75, 4), ScaleOf("pos_embed"), 12);
        Assert.Equal(Math.Pow(0.75, 4), ScaleOf("patch_embed.proj.weight"), 12);
        Assert.Equal(Math.Pow(0.75, 3), ScaleOf("blocks.0.attn.qkv.weight"), 12);
        Assert.Equal(Math.Pow(0.75, 2), ScaleOf("blocks.1.mlp.fc1.weight"), 12);
        Assert.Equal(0.75, ScaleOf("blocks.2.norm1.weight"), 12);
        Assert.Equal(1.0, ScaleOf("fc_norm.weight"));
        Assert.Equal(1.0, ScaleOf("head.weight"));
        Assert.Equal(0.05, DecayOf("head.weight"));
        Assert.Equal(0.05, DecayOf("blocks.0.attn.qkv.weight"));
        foreach (var name in new[] { "cls_token", "pos_embed", "head.bias", "fc_norm.weight", "blocks.1.norm2.weight", "patch_embed.proj.bias" })
        {
            Assert.Equal(0.0, DecayOf(name));
        }
        Assert.Equal(model.parameters().Count(), groups.Sum(g => g.Parameters.Count));
    }
}

public sealed class FineTunerTests
{
    private static readonly VitConfig Shape = new(16, 4, 3, 16, 2, 2);

    internal static FineTuneConfig Tiny => new()
    {
        Encoder = Shape,
        Epochs = 2,
        WarmupEpochs = 0.5,
        BatchSize = 16,
        BaseLr = 1e-2,
        Seed = 1,
        Workers = 1,
        EvalBatchSize = 64,
    };

    internal static SyntheticShapesSource Train(int count = 48, int classes = 3) => SyntheticShapesSource.Train(seed: 3, count: count, size: 16, classes: classes);

    internal static SyntheticShapesSource Test(int classes = 3) => SyntheticShapesSource.Test(seed: 3, count: 30, size: 16, classes: classes);

    [Fact]
    public void WritesTheRunFolderAndACheckpointThatReloadsToTheSameScores()
    {
        using var dir = new TestUtil.TempDir();
        var test = Test();
        using var tuner = new FineTuner(Tiny with { EvalEvery = 0 }, Train(), test, outputDir: dir.Path);
        var result = tuner.Train();

        Assert.Equal(2, result.Epochs.Count);
        Assert.Null(result.Epochs[0].TestTop1);                         // EvalEvery 0: only after the last epoch
        Assert.Equal(result.Top1, result.Epochs[1].TestTop1);
        Assert.Equal(1.0, result.Top5);                                 // 3 classes: top-5 covers them all
        Assert.Equal(6, result.Steps);                                  // 48 / 16 per epoch
        var run = RunFolder.Create(dir.Path);
        Assert.Equal(2, run.ReadMetrics().Count);
        Assert.True(File.Exists(run.PathOf(RunFolder.ConfigFile)));
        Assert.True(File.Exists(run.PathOf(RunFolder.FinalFile)));
        Assert.Contains("\"layer_decay\": 0.75", File.ReadAllText(run.PathOf(RunFolder.ConfigFile)));
        Assert.NotNull(result.Checkpoint);

        using var loaded = FineTunedModel.Load(dir.Path);
        Assert.Equal(test.ClassNames, loaded.ClassNames);
        Assert.Equal(VitPooling.GlobalAverage, loaded.Config.Pooling);
        var score = ClassifierEvaluation.Run(loaded.Model, test, workers: 1);
        Assert.Equal(result.Top1, score.Top1);
        Assert.Equal(result.TestLoss, score.Loss, 5);
    }

    [Fact]
    public void TheSeedFixesTheRunWithDropPathAndMixing()
    {
        var config = Tiny with { DropPath = 0.3 };
        double[] Losses(FineTuneConfig c)
        {
            using var tuner = new FineTuner(c, Train(), Test());
            return tuner.Train().Epochs.Select(e => e.TrainLoss).ToArray();
        }
        var a = Losses(config);
        Assert.Equal(a, Losses(config));
        Assert.NotEqual(a, Losses(config with { Seed = 2 }));
    }

    [Fact]
    [Trait("Category", "Slow")]                // an accuracy threshold after real training
    public void LearnsAnEasyTaskWithTheFullRecipe()
    {
        // Mixing, drop path, smoothing and layer decay all on: an easy task must still be learnt, on unseen images.
        var config = Tiny with { Epochs = 6, WarmupEpochs = 1, BaseLr = 0.1, EvalEvery = 0 };
        using var tuner = new FineTuner(config, new TintSource(128), new TintSource(40, seed: 9));
        var r = tuner.Train();
        Assert.True(r.Top1 >= 0.8, $"top-1 {r.Top1}; losses " + string.Join(", ", r.Epochs.Select(e => e.TrainLoss.ToString("F3"))));
    }

    [Fact]
    [Trait("Category", "Slow")]                // an accuracy threshold after real training
    public void FitsASmallTrainingSetFromScratch()
    {
        // Without regularisation a tiny ViT must be able to fit 64 images: the loop, the loss and the updates work.
        var train = SyntheticShapesSource.Train(seed: 3, count: 64, size: 16, classes: 2);
        var config = Tiny with
        {
            Epochs = 25,
            WarmupEpochs = 1,
            BaseLr = 2e-2,
            MixupAlpha = 0,
            CutmixAlpha = 0,
            DropPath = 0,
            LabelSmoothing = 0,
            CropScaleMin = 1,
            EvalEvery = 0,
            Encoder = Shape with { Width = 32 },
        };
        using var tuner = new FineTuner(config, train, train);
        var r = tuner.Train();
        Assert.True(r.Epochs[^1].TrainLoss < 0.75 * r.Epochs[0].TrainLoss, string.Join(", ", r.Epochs.Select(e => e.TrainLoss.ToString("F3"))));
        Assert.True(r.Top1 >= 0.75, $"training-set top-1 {r.Top1}");
    }

    [Fact]
    [Trait("Category", "Slow")]                // an accuracy threshold after real training
    public void LearnsWithRandAugmentAndRandomErasing()
    {
        // The recipe's augmentation on top of mixing, drop path and smoothing: still clearly above chance (25 %) on unseen images.
        var config = Tiny with
        {
            Epochs = 6,
            WarmupEpochs = 1,
            BaseLr = 0.1,
            EvalEvery = 0,
            RandAugment = FineTunePresets.RecipeRandAugment,
            ReProb = 0.25,
        };
        using var tuner = new FineTuner(config, new TintSource(128), new TintSource(40, seed: 9));
        var r = tuner.Train();
        Assert.True(r.Top1 >= 0.6, $"top-1 {r.Top1}; losses " + string.Join(", ", r.Epochs.Select(e => e.TrainLoss.ToString("F3"))));
    }

    [Fact]
    public void AResumedRunEndsWithTheSameWeightsAndLogsAsAnUninterruptedOne()
    {
        // Every random stream on: RandAugment, erasing, mixing, drop path; accumulation across batches.
        var config = Tiny with
        {
            Epochs = 3,
            DropPath = 0.2,
            RandAugment = FineTunePresets.RecipeRandAugment,
            ReProb = 0.5,
            Accumulation = 2,
            KeepCheckpoints = 2,
        };
        using var straightDir = new TestUtil.TempDir();
        using var resumedDir = new TestUtil.TempDir();
        FineTuneResult straight;
        Dictionary<string, Tensor> expected;
        using (var tuner = new FineTuner(config, Train(), Test(), outputDir: straightDir.Path))
        {
            straight = tuner.Train();
            expected = tuner.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        }
        using (var tuner = new FineTuner(config, Train(), Test(), outputDir: resumedDir.Path))
        {
            var stopped = tuner.Train(stopAfterEpochs: 1);
            Assert.False(stopped.Finished);
            Assert.Equal(1, stopped.EpochsCompleted);
        }
        // A kill after an epoch's metrics line but before its checkpoint leaves a line the resumed run must replace.
        string metrics = Path.Combine(resumedDir.Path, RunFolder.MetricsFile);
        File.AppendAllText(metrics, File.ReadAllLines(metrics)[0].Replace("\"epoch\":0", "\"epoch\":1") + "\n");
        var notes = new List<string>();
        FineTuneResult resumed;
        using (var tuner = new FineTuner(config, Train(), Test(), outputDir: resumedDir.Path))
        {
            tuner.ResumeFrom(new ResumeOptions(Note: notes.Add));
            resumed = tuner.Train();
            foreach (var (key, value) in tuner.Model.state_dict())
            {
                Assert.True(value.equal(expected[key]).all().item<bool>(), $"{key} differs after the resume");
            }
        }
        Assert.Contains(notes, n => n.Contains("checkpoint-00001") && n.Contains("1 epoch(s) done"));
        Assert.Equal(straight.Epochs.Select(e => e.TrainLoss), resumed.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(straight.Top1, resumed.Top1);
        Assert.Equal(straight.Steps, resumed.Steps);
        Assert.Equal([0, 1, 2], RunFolder.Create(resumedDir.Path).ReadMetrics().Select(m => m.GetProperty("epoch").GetInt32()));
        // Two kept of the three written, the newest being the finished classifier.
        Assert.Equal(["checkpoint-00002.amtckpt", "checkpoint-00003.amtckpt"],
            Directory.GetFiles(Path.Combine(resumedDir.Path, "checkpoints"), "*.amtckpt").Select(Path.GetFileName).Order());
        foreach (var t in expected.Values)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void AResumeWithAnotherRecipeIsRefusedNamingTheSetting()
    {
        using var dir = new TestUtil.TempDir();
        using (var tuner = new FineTuner(Tiny with { Epochs = 2 }, Train(), Test(), outputDir: dir.Path))
        {
            tuner.Train(stopAfterEpochs: 1);
        }
        using var other = new FineTuner(Tiny with { Epochs = 2, ReProb = 0.25 }, Train(), Test(), outputDir: dir.Path);
        var e = Assert.Throws<CheckpointException>(() => other.ResumeFrom(new ResumeOptions()));
        Assert.Contains("re_prob", e.Message);
    }

    [Theory]
    [InlineData(nameof(FineTuneConfig.LayerDecay))]
    [InlineData(nameof(FineTuneConfig.DropPath))]
    [InlineData(nameof(FineTuneConfig.LabelSmoothing))]
    [InlineData(nameof(FineTuneConfig.MixupAlpha))]
    [InlineData(nameof(FineTuneConfig.SwitchProbability))]
    [InlineData(nameof(FineTuneConfig.BatchSize))]
    [InlineData(nameof(FineTuneConfig.WarmupEpochs))]
    public void ImpossibleSettingsNameTheirProperty(string setting)
    {
        var config = setting switch
        {
            nameof(FineTuneConfig.LayerDecay) => Tiny with { LayerDecay = 0 },
            nameof(FineTuneConfig.DropPath) => Tiny with { DropPath = 1 },
            nameof(FineTuneConfig.LabelSmoothing) => Tiny with { LabelSmoothing = -0.1 },
            nameof(FineTuneConfig.MixupAlpha) => Tiny with { MixupAlpha = double.NaN },
            nameof(FineTuneConfig.SwitchProbability) => Tiny with { SwitchProbability = 1.5 },
            nameof(FineTuneConfig.BatchSize) => Tiny with { BatchSize = 1000 },
            _ => Tiny with { WarmupEpochs = 2 },
        };
        var e = Assert.Throws<ConfigException>(() => new FineTuner(config, Train(), Test()));
        Assert.Equal(setting, e.Setting);
        Assert.StartsWith($"{setting}: ", e.Message);
    }

    [Fact]
    public void SplitsWithDifferentClassesAreRefused()
    {
        var e = Assert.Throws<ConfigException>(() => new FineTuner(Tiny, Train(classes: 3), Test(classes: 4)));
        Assert.Equal("Data", e.Setting);
    }
}

/// <summary>Reads the process-wide live-tensor count, so it runs alone (<see cref="GlobalStateCollection"/>).</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class FineTunerTensorCountTests
{
    [Fact]
    public void TheLiveTensorCountStaysFlatAcrossEpochs()
    {
        // Other tests' garbage must be finalised now, not during the run, or it moves the process-wide count.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var counts = new List<long>();
        using var tuner = new FineTuner(FineTunerTests.Tiny with { Epochs = 4, DropPath = 0.2 }, FineTunerTests.Train(), FineTunerTests.Test(), observer: new EpochObserver(() => counts.Add(torch.Tensor.TotalCount)));
        tuner.Train();
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Skip(1), c => Assert.Equal(counts[1], c));   // each step and evaluation releases what it made
    }

    private sealed class EpochObserver(Action onEpoch) : IFineTuneObserver
    {
        public void OnEpoch(FineTuneEpoch epoch) => onEpoch();
    }
}
