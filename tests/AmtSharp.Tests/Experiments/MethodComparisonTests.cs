using AmtSharp.Amt;
using AmtSharp.Cli;
using AmtSharp.Data.Sources;
using AmtSharp.Experiments;
using AmtSharp.Masking;
using AmtSharp.Tests.Cli;
using AmtSharp.Tests.Data;
using AmtSharp.Tests.Training;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Experiments;

// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class MethodComparisonTests
{
    private static PretrainConfig Mae() => TinyPretrain.Config() with { Epochs = 3, Seed = 5, KeepCheckpoints = 1 };

    private static readonly ComparisonEvaluation Evaluation = new(
        new FrozenEvaluationConfig(new LinearProbeConfig(3, 1, 32, 0.5), new KnnConfig(K: 5), Converged: new ConvergedProbeConfig(Lambdas: [1e-2, 1e-4])),
        [FeaturePooling.Cls, FeaturePooling.MeanPatch]);

    private static ComparisonArm Arm(string name) => Cifar10Comparison.Arms(new ComparisonBudget()).Single(a => a.Name == name);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheMaeTargetChoiceReachesEveryMaeArm(bool normPix)
    {
        var arms = Cifar10Comparison.Arms(new ComparisonBudget(MaeNormPix: normPix));
        Assert.All(arms.Where(a => a.Config.Method == MimMethod.Mae), a => Assert.Equal(normPix, a.Config.NormPixLoss));
        Assert.Equal(6, arms.Count(a => a.Config.Method == MimMethod.Mae));
        Assert.Equal(Cifar10Comparison.Names, arms.Select(a => a.Name));
    }

    [Fact]
    public void TheRandomThrowControlHasMaeAmtsCountsAndIgnoresThePrior()
    {
        var amt = Arm("mae-amt").Config;
        var control = Arm("mae-random-throw").Config;
        var grid = MimFactory.Grid(amt);
        var amtSchedule = new AmtSchedule(amt.Epochs, amt.Amt!, grid);
        var controlSchedule = new AmtSchedule(control.Epochs, control.Amt!, grid);
        for (int e = 0; e < amt.Epochs; e++)
        {
            Assert.Equal(amtSchedule.StrategyFor(e).Counts, controlSchedule.StrategyFor(e).Counts);
        }
        Assert.Equal(new MaskCounts(28, 26, 10), controlSchedule.StrategyFor(amt.Epochs - 1).Counts);
        Assert.False(controlSchedule.StrategyFor(amt.Epochs - 1).UsesWeights);
        Assert.Empty(controlSchedule.RefreshEpochs);                 // never reads the prior, so never pays for it
        Assert.NotEmpty(amtSchedule.RefreshEpochs);
        Assert.Equal(amt with { Amt = amt.Amt! with { Variant = AmtVariant.RandomWithThrowing } }, control);

        // Its draws do not depend on the weights it is given.
        var strategy = controlSchedule.StrategyFor(amt.Epochs - 1);
        using var g1 = new TorchSharp.torch.Generator(3);
        using var g2 = new TorchSharp.torch.Generator(3);
        using var peaked = TorchSharp.torch.zeros(2, 64);
        peaked[.., 5] = TorchSharp.torch.tensor(1f);
        using var a = strategy.Plan(new MaskRequest(2, g1, peaked));
        using var b = strategy.Plan(new MaskRequest(2, g2, TorchSharp.torch.ones(2, 64)));
        Assert.True(a.Masked.equal(b.Masked).all().item<bool>());
    }

    [Fact]
    public void TheOtherArmsChangeOnlyWhatTheirNamesSay()
    {
        var amt = Arm("mae-amt").Config;
        Assert.Equal(amt with { Amt = amt.Amt! with { PriorCrop = PriorCrop.Official } }, Arm("mae-amt-official").Config);
        var late = Arm("mae-amt-late").Config;
        Assert.Equal(10, late.Amt!.ResolveStart(late.Epochs));        // random for half of the 20 epochs
        var attention = Arm("mae-attention-only").Config;
        Assert.Equal(new MaskCounts(48, 0, 16), attention.Amt!.Counts(64));   // MAE's counts, drawn by attention
        var simmimAmt = Arm("simmim-amt").Config;
        Assert.Equal(0.44, simmimAmt.Amt!.WarmupMaskRatio);
        Assert.Equal(simmimAmt with { Amt = simmimAmt.Amt with { Variant = AmtVariant.RandomWithThrowing } }, Arm("simmim-random-throw").Config);
        Assert.All(Cifar10Comparison.Arms(new ComparisonBudget(Seed: 7)), a => Assert.Equal(7, a.Seed));
    }

    [Fact]
    public void EqualFlopsArmsCostTheirBaselinesCompute()
    {
        var arms = Cifar10Comparison.Arms(new ComparisonBudget());
        var scaled = StudyCompute.EqualFlopsArms(arms, arms);
        var amt = scaled.Single(a => a.EqualFlopsOf == "mae-amt");
        double baseline = StudyCompute.RunFlopsPerImage(Arm("mae").Config);
        Assert.True(amt.Config.Epochs > 20);                               // throwing is cheaper, so it gets more epochs
        Assert.InRange(StudyCompute.RunFlopsPerImage(amt.Config) / baseline, 0.95, 1.05);
        Assert.Equal("mae", amt.Baseline);
        var attention = scaled.Single(a => a.EqualFlopsOf == "mae-attention-only");
        Assert.True(attention.Config.Epochs < 20);                          // same tokens as MAE plus refreshes: fewer epochs
        Assert.DoesNotContain(scaled, a => a.EqualFlopsOf == "mae");
    }

    [Fact]
    public void PairedIntervalsFollowTheTDistribution()
    {
        var s = PairedStatistics.Summarise([1.0, 2.0, 3.0]);
        Assert.Equal(2.0, s.Mean, 12);
        Assert.Equal(1.0, s.Sd, 12);
        Assert.Equal(2.0 - 4.303 / Math.Sqrt(3), s.Low, 9);
        Assert.Equal(2.0 + 4.303 / Math.Sqrt(3), s.High, 9);
        Assert.Equal(0, s.Sign);
        var d = PairedStatistics.Paired(new Dictionary<long, double> { [0] = 50, [1] = 52, [2] = 49 }, new Dictionary<long, double> { [0] = 48, [1] = 49, [2] = 47, [3] = 90 })!;
        Assert.Equal(3, d.N);                                                // seed 3 has no partner
        Assert.Equal(7.0 / 3, d.Mean, 12);
        Assert.Equal(1, d.Sign);                                             // differences 2, 3, 2: the interval is above 0
        Assert.True(double.IsNaN(PairedStatistics.Summarise([4.0]).Low));
        Assert.Equal(12.706, PairedStatistics.TQuantile975(1));
        // As the page writes them: one seed has no interval to show, several seeds show it in brackets.
        Assert.Equal("+4.0", StudyReport.Interval(PairedStatistics.Summarise([4.0])));
        Assert.Equal("+2.3 [+0.9, +3.8]", StudyReport.Interval(d));
    }

    [Fact]
    public void ArmsAreTrainedPerSeedEvaluatedAndReadBack()
    {
        using var dir = new TestUtil.TempDir();
        var train = SyntheticShapesSource.Train(seed: 1, count: 64, size: 32, classes: 4);
        var test = SyntheticShapesSource.Test(seed: 1, count: 32, size: 32, classes: 4);
        ComparisonArm[] arms =
        [
            new("mae", "MAE", Mae() with { Amt = null }),
            new("mae-amt", "MAE + AMT", Mae() with { Amt = AmtConfig.ForMae() with { StartEpoch = 1, RefreshInterval = 1 } }) { Baseline = "mae" },
            new("mae", "MAE", Mae() with { Amt = null, Seed = 6 }),
        ];
        var observer = new CountingObserver();
        var first = new MethodComparison(dir.Path, train, test, Evaluation).Run(arms, observer);

        Assert.Equal(3, observer.Started);
        Assert.Equal([("mae", 5L), ("mae-amt", 5L), ("mae", 6L)], first.Select(r => (r.Name, r.Seed)));
        foreach (var r in first)
        {
            Assert.Equal(3, r.Epochs);
            Assert.True(double.IsFinite(r.FinalLoss));
            Assert.Equal(2, r.Evaluations.Count);
            Assert.All(r.Evaluations.Values, e => Assert.InRange(e.Probe!.Top1, 0, 1));
            Assert.Single(new CheckpointFolder(Path.Combine(MethodComparison.ArmFolder(dir.Path, r.Name, r.Seed), "checkpoints")).List());
            Assert.NotNull(r.FinalPrior);
            Assert.NotNull(r.Conditions);
        }
        // Throwing shortens the encoder input of the AMT arm, and it saw different masks, so its encoder differs.
        Assert.True(first[1].EncoderTokens < first[0].EncoderTokens);
        Assert.NotEqual(first[0].FinalLoss, first[1].FinalLoss);
        Assert.NotEqual(first[0].FinalLoss, first[2].FinalLoss);            // another seed, another run
        // The AMT arm refreshed its prior after epochs 0 and 1, and the second refresh is compared with the first.
        Assert.Equal([0, 1], first[1].PriorHistory!.Select(p => p.Epoch));
        Assert.Null(first[1].PriorHistory![0].Statistics.RankCorrelationWithPrevious);
        Assert.NotNull(first[1].PriorHistory![1].Statistics.RankCorrelationWithPrevious);

        // A second run finds every arm finished and trains nothing; ReadAll finds them all.
        var again = new MethodComparison(dir.Path, train, test, Evaluation).Run(arms, observer);
        Assert.Equal(3, observer.Started);
        Assert.Equal(first.Select(r => r.Evaluations["Cls"].Knn!.Top1), again.Select(r => r.Evaluations["Cls"].Knn!.Top1));
        Assert.Equal(3, MethodComparison.ReadAll(dir.Path).Count);

        // An arm evaluated before the converged probe existed is re-evaluated from its checkpoint, not retrained.
        Assert.All(first, r => Assert.All(r.Evaluations.Values, e => Assert.NotNull(e.Converged)));
        string file = Path.Combine(MethodComparison.ArmFolder(dir.Path, "mae", 5), MethodComparison.ArmResultFile);
        var old = first[0] with { Evaluations = first[0].Evaluations.ToDictionary(kv => kv.Key, kv => kv.Value with { Converged = null }) };
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(old, AmtSharp.Training.Runs.RunFolder.JsonOptions));
        var third = new MethodComparison(dir.Path, train, test, Evaluation).Run(arms, observer);
        Assert.Equal(3, observer.Started);
        Assert.Equal(first[0].Evaluations["Cls"].Converged!.Top1, third[0].Evaluations["Cls"].Converged!.Top1);
        Assert.Equal(first[0].Evaluations["MeanPatch"].Probe!.Top1, third[0].Evaluations["MeanPatch"].Probe!.Top1);
    }

    // The smoke study of the issue: the command end to end on a small ImageFolder, two arms, two seeds, one epoch.
    [Fact]
    public void TheStudyCommandWritesAPageWithEveryArmSeedAndPairedInterval()
    {
        using var dir = new TestUtil.TempDir();
        string data = WriteStudyData(dir.Path, seed: 2, testImages: 48);
        string page = Path.Combine(dir.Path, "study.md");
        string[] args =
        [
            "experiment", "cifar10", "--data", data, "--train-images", "160", "--epochs", "1", "--seeds", "0", "1",
            "--arms", "mae", "mae-random-throw", "--width", "32", "--depth", "2", "--heads", "2", "--batch-size", "32",
            "--probe-epochs", "2", "--workers", "1", "-o", Path.Combine(dir.Path, "out"), "--results", page, "--quiet",
            "--synthetic", "--synthetic-train-images", "64", "--synthetic-epochs", "1",
        ];
        var (code, output, error) = CliHarness.Run(args);
        Assert.True(code == 0, error + output);
        string md = File.ReadAllText(page);
        Assert.Contains("| MAE (random 0.75) | 0 1 |", md);
        Assert.Contains("| MAE, random 0.45 + random throw 0.40 | 0 1 |", md);
        Assert.Contains("| MAE, random 0.45 + random throw 0.40 | MAE (random 0.75) (baseline) | 2 |", md);
        Assert.Matches(@"over 2 seeds: (better|worse|no detectable difference)", md);
        Assert.Contains("`--preset cifar-mae-amt --amt-variant randomwiththrowing`", md);
        Assert.True(File.Exists(Path.Combine(dir.Path, "study-accuracy.png")));
        // The same arms on the synthetic shapes, with the prior's share on the objects.
        Assert.Contains("## On the synthetic shapes, where the object is known", md);
        var synthetic = MethodComparison.ReadAll(Path.Combine(dir.Path, "out", "synthetic"));
        Assert.Equal(4, synthetic.Count(r => r.FinalPriorOnObject is not null));
        Assert.All(synthetic, r => Assert.InRange(r.DenseProbe!.MeanIoU, 0, 1));
        Assert.Contains("dense probe mIoU", md);
        Assert.Contains("linear probe [CLS] (converged)", md);

        // --page-only rewrites the page from the finished arms and trains nothing.
        File.Delete(page);
        var (rendered, _, _) = CliHarness.Run([.. args, "--page-only"]);
        Assert.Equal(0, rendered);
        string again = File.ReadAllText(page);
        Assert.Contains("| MAE, random 0.45 + random throw 0.40 | MAE (random 0.75) (baseline) | 2 |", again);
        Assert.DoesNotContain("--page-only", again);

        // The runs file beside the page keeps every finished arm: with the study folder gone, the page comes back whole.
        Assert.True(File.Exists(Path.Combine(dir.Path, "study.runs.json")));
        Directory.Delete(Path.Combine(dir.Path, "out"), recursive: true);
        File.Delete(page);
        var (fromLedger, _, ledgerError) = CliHarness.Run([.. args, "--page-only"]);
        Assert.True(fromLedger == 0, ledgerError);
        string restored = File.ReadAllText(page);
        Assert.Contains("| MAE, random 0.45 + random throw 0.40 | MAE (random 0.75) (baseline) | 2 |", restored);
        Assert.Contains("dense probe mIoU", restored);

        // --synthetic-only adds a seed to the synthetic section and trains no CIFAR-10 arm.
        int seedsAt = Array.IndexOf(args, "--seeds");
        string[] seedTwo = [.. args[..(seedsAt + 1)], "2", .. args[(seedsAt + 3)..]];
        var (added, _, addError) = CliHarness.Run([.. seedTwo.Select(a => a == "--synthetic" ? "--synthetic-only" : a)]);
        Assert.True(added == 0, addError);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out", "seed-2")));
        Assert.Equal(4, StudyLedger.Read(Path.Combine(dir.Path, "study.runs.json"))!.Results.Count);
        Assert.Equal(6, StudyLedger.Read(Path.Combine(dir.Path, "study.runs.json"))!.Synthetic.Count);
        Assert.Contains("| MAE (random 0.75) | 0 1 2 |", File.ReadAllText(page));
        var (both, _, bothError) = CliHarness.Run([.. args, "--synthetic-only", "--page-only"]);
        Assert.Equal(Program.UserError, both);
        Assert.Contains("--synthetic-only", bothError);

        // The same folder refuses another budget instead of mixing two experiments on one page.
        args[Array.IndexOf(args, "--epochs") + 1] = "2";
        var (refused, _, why) = CliHarness.Run(args);
        Assert.Equal(Program.UserError, refused);
        Assert.Contains("another budget", why);
    }

    // The paper's second claim: every arm and a supervised baseline fine-tuned with amt finetune's recipe, on the page.
    [Fact]
    public void TheStudyFineTunesEveryArmAndTheSupervisedBaselineAsAmtFinetuneDoes()
    {
        using var dir = new TestUtil.TempDir();
        string data = WriteStudyData(dir.Path, seed: 3, testImages: 32);
        string page = Path.Combine(dir.Path, "study.md"), output = Path.Combine(dir.Path, "out");
        string[] args =
        [
            "experiment", "cifar10", "--data", data, "--train-images", "160", "--epochs", "1", "--seeds", "0", "--arms", "mae",
            "mae-random-throw", "--width", "32", "--depth", "2", "--heads", "2", "--batch-size", "32", "--probe-epochs", "2", "--workers", "1",
            "--threads", "1", "--precision", "fp32", "--finetune-epochs", "2", "-o", output, "--results", page, "--quiet",
        ];
        var (code, text, error) = CliHarness.Run(args);
        Assert.True(code == 0, error + text);

        var results = MethodComparison.ReadAll(output);
        var mae = results.Single(r => r.Name == "mae");
        var supervised = results.Single(r => r.Name == ComparisonFineTuning.SupervisedArm);
        Assert.Equal(2, mae.FineTune!.Epochs);
        Assert.Equal(2, supervised.FineTune!.Epochs);
        Assert.Equal(160, mae.FineTune.TrainImages);
        Assert.True(File.Exists(Path.Combine(MethodComparison.ArmFolder(output, ComparisonFineTuning.SupervisedArm, 0), ComparisonFineTuning.Folder, "final.json")));
        Assert.True(File.Exists(Path.Combine(MethodComparison.ArmFolder(output, "mae", 0), ComparisonFineTuning.Folder, "final.json")));
        string md = File.ReadAllText(page);
        Assert.Contains("## Fine-tuning: CIFAR-10 test top-1 after end-to-end fine-tuning", md);
        Assert.Contains("| supervised from scratch (no pretraining) | 0 |", md);
        Assert.Contains("| MAE (random 0.75) | 0 |", md);
        Assert.Contains("| MAE (random 0.75) | supervised from scratch (no pretraining) | 1 |", md);
        Assert.Contains("| MAE, random 0.45 + random throw 0.40 | MAE (random 0.75) | 1 |", md);
        Assert.Contains("**Fine-tuned end to end** (fine-tuned top-1, against MAE (random 0.75)): MAE, random 0.45 + random throw 0.40: ", md);
        Assert.Contains("With the same recipe from random initialisation the encoder reaches", md);
        Assert.Contains("**MAE family** (one seed, linear probe [CLS] (converged)) against MAE (random 0.75): MAE, random 0.45 + random throw 0.40 ", md);
        Assert.Contains("2 epochs (warm-up 0.2), batch 128, blr 0.001, layer decay 0.75", md);

        // The arm's fine-tuning is `amt finetune` with the same recipe, seed and data: the same run, to the digit.
        string alone = Path.Combine(dir.Path, "alone");
        var (tuned, tunedText, tunedError) = CliHarness.Run(["finetune", "-c", MethodComparison.ArmFolder(output, "mae", 0), "--data", data,
            "--limit", "160", "--epochs", "2", "--eval-every", "1", "--seed", "0", "--workers", "1", "--threads", "1", "--precision", "fp32",
            "-o", alone, "--quiet"]);
        Assert.True(tuned == 0, tunedError + tunedText);
        var final = System.Text.Json.JsonSerializer.Deserialize<AmtSharp.Training.FineTuning.FineTuneResult>(
            File.ReadAllText(Path.Combine(alone, "final.json")), AmtSharp.Training.Runs.RunFolder.JsonOptions)!;
        Assert.Equal(mae.FineTune.Top1, final.Top1);
        Assert.Equal(mae.FineTune.Top5, final.Top5);

        // Run again: everything is read back, nothing is trained or fine-tuned.
        var (again, againText, againError) = CliHarness.Run([.. args.Where(a => a != "--quiet")]);
        Assert.True(again == 0, againError);
        Assert.DoesNotContain("fine-tuning for", againText);
        Assert.Equal(md, File.ReadAllText(page));

        // Another --finetune-epochs on the same folder is refused by name, never answered with the 2-epoch results.
        var longer = args.ToArray();
        longer[Array.IndexOf(longer, "--finetune-epochs") + 1] = "3";
        var (refused, _, refusal) = CliHarness.Run(longer);
        Assert.NotEqual(0, refused);
        Assert.Contains(Path.Combine("seed-0", "mae", ComparisonFineTuning.Folder, "final.json"), refusal);
        Assert.Contains("another recipe", refusal);
        Assert.Equal(md, File.ReadAllText(page));
    }

    // The page lists the commands as a shell would read them back, titles with apostrophes included.
    [Theory]
    [InlineData("--arms", "--arms")]
    [InlineData("The AMT study", "'The AMT study'")]
    [InlineData("Fine-tuning the study's encoders", "'Fine-tuning the study'\\''s encoders'")]
    public void RecordedCommandArgumentsAreShellQuoted(string arg, string quoted) =>
        Assert.Equal(quoted, AmtSharp.Cli.Commands.ExperimentCommand.Quote(arg));

    // A small CIFAR-like ImageFolder (160 training images of 4 shape classes at 32 px) in root/data.
    private static string WriteStudyData(string root, int seed, int testImages)
    {
        string data = Path.Combine(root, "data");
        WriteImageFolder(data, "train", SyntheticShapesSource.Train(seed: seed, count: 160, size: 32, classes: 4));
        WriteImageFolder(data, "test", SyntheticShapesSource.Test(seed: seed, count: testImages, size: 32, classes: 4));
        return data;
    }

    private static void WriteImageFolder(string root, string split, SyntheticShapesSource source)
    {
        for (int i = 0; i < source.Count; i++)
        {
            string folder = Path.Combine(root, split, source.ClassNames[source.LabelOf(i)]);
            Directory.CreateDirectory(folder);
            TestImages.Write(Path.Combine(folder, $"{i:D4}.png"), source.Load(i), SKEncodedImageFormat.Png);
        }
    }

    private sealed class CountingObserver : IComparisonObserver
    {
        public int Started { get; private set; }

        public IPretrainObserver? OnArmStart(ComparisonArm arm, bool resuming)
        {
            Started++;
            return null;
        }
    }
}
