using AmtSharp.Cli;
using AmtSharp.Models.Vit;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Runs;
using Xunit;
using static AmtSharp.Tests.Cli.CliHarness;

namespace AmtSharp.Tests.Cli;

// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class FineTuneCliTests : IDisposable
{
    private readonly TestUtil.TempDir dir = new();

    private string RunDir => Path.Combine(dir.Path, "run");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void ThePaperPresetsResolveToTheirRecipes()
    {
        var (mae, maeYaml) = ResolveFineTune("--preset", "finetune-paper-mae", "--from-scratch");
        Assert.Equal(VitConfig.Base(224, 16), mae.Encoder);
        Assert.Equal((100, 5.0, 1024), (mae.Epochs, mae.WarmupEpochs, mae.EffectiveBatch));
        Assert.Equal((1e-3, 1e-6, 0.75, 0.05), (mae.BaseLr, mae.MinLr, mae.LayerDecay, mae.WeightDecay));
        Assert.Equal((0.1, 0.1, 0.8, 1.0, 0.25), (mae.DropPath, mae.LabelSmoothing, mae.MixupAlpha, mae.CutmixAlpha, mae.ReProb));
        Assert.Equal("rand-m9-mstd0.5-inc1", mae.RandAugment);
        Assert.Equal(VitPooling.GlobalAverage, mae.Pooling);
        Assert.Contains("rand-augment: rand-m9-mstd0.5-inc1\n", maeYaml);
        Assert.Contains("reprob: 0.25\n", maeYaml);
        Assert.Contains("lr = blr × 1024 / 256 = 0.004", maeYaml);

        var (simmim, _) = ResolveFineTune("--preset", "finetune-paper-simmim", "--from-scratch");
        Assert.Equal((100, 20.0), (simmim.Epochs, simmim.WarmupEpochs));
        Assert.Equal(1.25e-3 * simmim.EffectiveBatch / 512, simmim.BaseLr * simmim.EffectiveBatch / 256, 12);   // SimMIM's lr rule
        Assert.Equal((0.65, 0.1, 0.25, 5.0), (simmim.LayerDecay, simmim.DropPath, simmim.ReProb, simmim.ClipGrad));
        Assert.Equal("rand-m9-mstd0.5-inc1", simmim.RandAugment);

        // No preset: the CPU recipe, the MAE one with a small model, epochs and batch.
        var (cifar, _) = ResolveFineTune("--from-scratch");
        var planned = AmtSharp.Core.ThreadPlanner.Plan(AmtSharp.Core.ThreadPlanner.AvailableCores, null, null);   // workers fit the cores
        Assert.Equal(FineTunePresets.Cifar.Config with { Workers = planned.Workers }, cifar);
        Assert.Equal((32, 4, 6), (cifar.Encoder.ImageSize, cifar.Encoder.PatchSize, cifar.Encoder.Depth));
        Assert.Equal((0.75, 0.25, "rand-m9-mstd0.5-inc1"), (cifar.LayerDecay, cifar.ReProb, cifar.RandAugment));
    }

    [Fact]
    public void PrintConfigFedBackThroughConfigGivesTheSameConfiguration()
    {
        var (first, yaml) = ResolveFineTune("--preset", "finetune-paper-simmim", "--from-scratch", "--model", "vit_small", "--epochs", "7",
            "--rand-augment", "rand-m7-n3-mstd1-inc1", "--reprob", "0.4", "--accum", "2");
        string file = Path.Combine(dir.Path, "ft.yaml");
        File.WriteAllText(file, yaml);
        var (again, yamlAgain) = ResolveFineTune("--config", file);
        Assert.Equal(first, again);
        Assert.Equal(yaml, yamlAgain);
        Assert.Equal(("rand-m7-n3-mstd1-inc1", 0.4, 2), (again.RandAugment, again.ReProb, again.Accumulation));
        // And through the command itself.
        var (code, output, error) = Run("finetune", "--config", file, "--print-config");
        Assert.True(code == 0, error);
        Assert.Equal(yaml, output);
    }

    [Fact]
    public void TheStudyModelCanBeTrainedFromScratch()
    {
        // The study's ViT 128 wide × 6 blocks × 4 heads is no named model: width and heads make it, and survive --print-config.
        var (c, yaml) = ResolveFineTune("--from-scratch", "--width", "128", "--depth", "6", "--heads", "4");
        Assert.Equal(new VitConfig(32, 4, 3, 128, 6, 4), c.Encoder);
        Assert.Contains("width: 128\n", yaml);
        Assert.Contains("heads: 4\n", yaml);
        Assert.Contains("--width", UserError("finetune", "-c", "/nonexistent", "--width", "128"));
    }

    [Fact]
    public void ListPresetsShowsTheThreeRecipes()
    {
        var (code, output, _) = Run("finetune", "--list-presets");
        Assert.Equal(0, code);
        Assert.Equal(FineTunePresets.Names, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));
    }

    [Theory]
    [InlineData("rand-m9-mstd0.5-inc2")]
    [InlineData("randaugment")]
    [InlineData("rand-m9-foo3")]
    public void ABadRandAugmentStringIsOneLineNamingTheOption(string value)
    {
        string line = UserError("finetune", "--from-scratch", "--rand-augment", value, "-o", RunDir);
        Assert.Contains("--rand-augment", line);
        Assert.Contains($"'{value}'", line);
        Assert.False(Directory.Exists(RunDir));
        // From a configuration file, the file and key are named.
        string file = Path.Combine(dir.Path, "bad.yaml");
        File.WriteAllText(file, $"rand-augment: {value}\n");
        string fromFile = UserError("finetune", "--from-scratch", "--config", file, "-o", RunDir);
        Assert.Contains($"{file}: line 1, key 'rand-augment'", fromFile);
    }

    [Fact]
    public void AFineTuneRunResumesFromItsCheckpointAndRefusesASilentRestart()
    {
        string[] args = ["finetune", "--from-scratch", "--depth", "1", "--limit", "64", "--epochs", "2", "--warmup-epochs", "0", "--batch-size", "32",
            "--eval-every", "0", "--workers", "1", "--quiet", "-o", RunDir];
        var first = Run(args);
        Assert.True(first.Code == 0, first.Error);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(RunDir, "checkpoints"), "*.amtckpt").Length);   // one per epoch
        Assert.Contains("pass --resume to continue it, or --overwrite", UserError(args));
        var resumed = Run([.. args, "--resume"]);
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Contains("resume: from ", resumed.Output);
        Assert.Contains("checkpoint-00002.amtckpt: 2 epoch(s) done", resumed.Output);
        Assert.Equal(2, RunFolder.Create(RunDir).ReadMetrics().Count);
        Assert.Contains("--keep-checkpoints", UserError([.. args, "--overwrite", "--keep-checkpoints", "-1"]));
        Assert.Equal(Program.UserError, Run([.. args, "--resume", "--reprob", "0"]).Code);      // another recipe: refused
    }
}
