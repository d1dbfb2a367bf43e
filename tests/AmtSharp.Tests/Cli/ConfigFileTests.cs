using AmtSharp.Amt;
using AmtSharp.Cli;
using AmtSharp.Masking;
using AmtSharp.Training.Pretraining;
using Xunit;
using static AmtSharp.Tests.Cli.CliHarness;

namespace AmtSharp.Tests.Cli;

public sealed class ConfigFileTests : IDisposable
{
    private readonly TestUtil.TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>A preset as resolved here: loader workers come from the thread planner, fitted to this machine's cores.</summary>
    // The loader workers and the precision `auto` resolves to here (bf16 only where the CPU has it natively).
    private static PretrainConfig OnThisMachine(PretrainConfig preset) => preset with
    {
        Workers = AmtSharp.Core.ThreadPlanner.Plan(AmtSharp.Core.ThreadPlanner.AvailableCores, null, null).Workers,
        Precision = AmtSharp.Models.PrecisionSupport.Auto.Precision,
    };

    private string Yaml(string text, string name = "run.yaml")
    {
        string path = Path.Combine(dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void FlagsOverrideTheFileWhichOverridesThePreset()
    {
        string file = Yaml("""
            # a comment
            preset: paper-mae-amt
            model: vit_small
            mask-ratio: 0.3
            epochs: 20
            decoder-depth:            # null: not set
            """);
        var (c, _) = ResolvePretrain("--config", file, "--epochs", "30");
        Assert.Equal(30, c.Epochs);                                      // flag over file
        Assert.Equal(0.3, c.Amt!.MaskRatio);                             // file over preset
        Assert.Equal((384, 6, 12), (c.Encoder.Width, c.Encoder.Heads, c.Encoder.Depth));   // vit_small from the file...
        Assert.Equal((224, 16), (c.Encoder.ImageSize, c.Encoder.PatchSize));              // ...at the preset's size
        Assert.Equal((512, 8), (c.DecoderWidth, c.DecoderDepth));        // preset
        Assert.Equal(0.40, c.Amt.ThrowRatio);                            // preset
        Assert.Equal(3, c.WarmupEpochs, 12);                             // the preset's 10 % of the new length
    }

    [Fact]
    public void WithoutAnythingTheCpuSizedPresetOfTheMethodApplies()
    {
        Assert.Equal(OnThisMachine(PretrainPresets.CifarMaeAmt.Config), ResolvePretrain().Config);
        Assert.Equal(OnThisMachine(PretrainPresets.CifarSimMimAmt.Config), ResolvePretrain("--method", "simmim").Config);
        Assert.Equal(OnThisMachine(PretrainPresets.CifarMae.Config), ResolvePretrain("--no-amt").Config);
        Assert.Equal(OnThisMachine(PretrainPresets.PaperSimMim.Config), ResolvePretrain("--preset", "paper-simmim-amt", "--no-amt").Config);
        // --no-amt false brings AMT (the method's settings) back to a baseline preset.
        Assert.Equal(OnThisMachine(PretrainPresets.PaperMaeAmt.Config), ResolvePretrain("--preset", "paper-mae", "--no-amt", "false").Config);
    }

    [Theory]
    [InlineData()]
    [InlineData("--preset", "paper-mae-amt")]
    [InlineData("--preset", "paper-simmim-amt", "--epochs", "50", "--mask-unit", "16")]
    [InlineData("--preset", "paper-simmim", "--data", "/some/folder", "--data-format", "cifar10", "--limit", "500")]
    [InlineData("--preset", "demo", "--width", "128", "--heads", "4", "--mlp-ratio", "2.5", "-o", "runs/with space's")]
    [InlineData("--method", "simmim", "--no-amt", "--mask-ratio", "0.5", "--beta2", "0.99", "--seed", "7")]
    [InlineData("--amt-start-epoch", "3", "--amt-refresh-interval", "2", "--epochs", "7", "--decoder-width", "96", "--no-norm-pix",
        "--amt-variant", "throwhighest", "--warmup-epochs", "0.5", "--min-lr", "1e-6", "--skip-bad-images", "--checkpoint-every", "0")]
    [InlineData("--model", "vit_base", "--depth", "2", "--image-size", "64", "--patch-size", "8", "--blr", "3.3e-4", "--accum", "3")]
    public void PrintConfigFedBackGivesTheSameConfiguration(params string[] args)
    {
        var (first, yaml) = ResolvePretrain(args);
        string file = Yaml(yaml, "printed.yaml");
        var (second, yamlAgain) = ResolvePretrain("--config", file);
        Assert.Equal(first, second);
        Assert.Equal(yaml, yamlAgain);
    }

    [Fact]
    public void PrintConfigIsYamlWithTheOptionNames()
    {
        var (code, output, error) = Run("pretrain", "--preset", "paper-simmim-amt", "--print-config");
        Assert.True(code == 0, error);
        Assert.Contains("preset: paper-simmim-amt\n", output);
        Assert.Contains("method: simmim\n", output);
        Assert.Contains("mask-ratio: 0.44\n", output);
        Assert.Contains("throw-ratio: 0.26\n", output);
        Assert.Contains("epochs: 200\n", output);
        Assert.Contains("22 masked / 13 thrown / 14 visible of 49 cells", output);
        // Every key is an option of amt pretrain (ResolvePretrain would reject an unknown one).
        string file = Yaml(output);
        Assert.Equal(OnThisMachine(PretrainPresets.PaperSimMimAmt.Config), ResolvePretrain("--config", file).Config);
    }

    [Fact]
    public void ListPresetsAndHelpNameEveryPreset()
    {
        var (code, output, _) = Run("pretrain", "--list-presets");
        Assert.Equal(0, code);
        var help = Run("pretrain", "--help");
        foreach (var name in PretrainPresets.Names)
        {
            Assert.Contains(name + " ", output);
            Assert.Contains(name, help.Output);
        }
    }

    [Theory]
    [InlineData("mask_ratio: 0.5\n", "line 1: unknown key 'mask_ratio' (did you mean 'mask-ratio'?)")]
    [InlineData("epochs: 5\nbogus: 1\n", "line 2: unknown key 'bogus'")]
    [InlineData("mask-ratio: 1.5\n", "line 1, key 'mask-ratio': --mask-ratio must be a number in (0, 1), got '1.5'")]
    [InlineData("epochs: many\n", "line 1, key 'epochs': --epochs must be a whole number of at least 1, got 'many'")]
    [InlineData("\n\nmethod: mea\n", "line 3, key 'method': --method must be one of mae, simmim, got 'mea'")]
    [InlineData("patch-size: 5\n", "line 1, key 'patch-size': --patch-size: 5 does not divide the image size 32")]
    [InlineData("no-amt: yes\n", "line 1, key 'no-amt': expects true or false, got 'yes'")]
    [InlineData("epochs: [1, 2]\n", "line 1, key 'epochs': expects one value, not a list")]
    [InlineData("epochs:\n  value: 3\n", "line 1, key 'epochs': expected a value or a list, not a nested mapping")]
    [InlineData("print-config: true\n", "'print-config' is a command-line switch")]
    [InlineData("epochs: 3\nepochs: 4\n", "not valid YAML")]
    [InlineData("epochs: 3\n  - x: : y\n", "not valid YAML")]
    [InlineData("- epochs\n- 3\n", "must be a mapping of option names to values")]
    public void ABadFileGivesOneLineNamingTheFileAndKey(string yaml, string expected)
    {
        string file = Yaml(yaml);
        string line = UserError("pretrain", "--config", file, "--print-config");
        Assert.StartsWith($"amt: {file}: ", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public void AMissingOrUnreadableFileGivesOneLineNamingIt()
    {
        string missing = Path.Combine(dir.Path, "nope.yaml");
        Assert.Equal($"amt: {missing}: configuration file does not exist", UserError("pretrain", "--config", missing));
        Assert.Equal($"amt: {dir.Path}: is a folder, not a YAML file", UserError("pretrain", "--config", dir.Path));
    }

    [Fact]
    public void AFlagWinsOverABadValueInTheFile()
    {
        // The file's value is never parsed when the flag replaces it.
        string file = Yaml("epochs: 0\n");
        var (code, output, error) = Run("pretrain", "--config", file, "--epochs", "12", "--print-config");
        Assert.True(code == 0, error);
        Assert.Contains("epochs: 12\n", output);
    }

    [Fact]
    public void EvaluationCommandsReadTheirOwnKeys()
    {
        // The file supplies the required --checkpoint; its path is then checked like a flag's.
        string missing = Path.Combine(dir.Path, "no-run");
        string file = Yaml($"checkpoint: {missing}\nk: 5\n");
        Assert.Contains($"'{missing}'", UserError("knn", "--config", file));
        Assert.Contains("line 2, key 'k': --k must be a whole number of at least 1, got '0'", UserError("knn", "--config", Yaml($"checkpoint: {missing}\nk: 0\n")));
        // mask-ratio is a pretraining setting, not a linear-probe one.
        Assert.Contains("unknown key 'mask-ratio'", UserError("linprobe", "--config", Yaml($"checkpoint: {missing}\nmask-ratio: 0.5\n")));
    }

    [Fact]
    public void AnAmtVariantFromTheFileReachesTheConfiguration()
    {
        var (c, _) = ResolvePretrain("--config", Yaml("amt-variant: TopK\nthrow-ratio: 0\n"));
        Assert.Equal(AmtVariant.TopK, c.Amt!.Variant);
        Assert.Equal(0, c.Amt.ThrowRatio);
        Assert.Equal(Program.UserError, Run("pretrain", "--config", Yaml("amt-variant: 3\n"), "--print-config").Code);
    }
}
