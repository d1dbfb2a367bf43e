using System.CommandLine;
using AmtSharp.Amt;
using AmtSharp.Cli;
using AmtSharp.Training.Pretraining;
using Xunit;
using static AmtSharp.Tests.Cli.CliHarness;

namespace AmtSharp.Tests.Cli;

/// <summary>The library names settings by their properties; `amt` turns them into its flags in one table.</summary>
public sealed class OptionNamesTests
{
    [Fact]
    public void EveryMappedFlagIsAnOptionOfAmt()
    {
        var options = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Command>([Program.BuildRoot()]);
        while (pending.TryPop(out var command))
        {
            options.UnionWith(command.Options.Select(o => o.Name));
            foreach (var sub in command.Subcommands)
            {
                pending.Push(sub);
            }
        }
        var missing = OptionNames.Flags.Where(kv => !options.Contains("--" + kv.Value)).Select(kv => $"{kv.Key} → --{kv.Value}").ToList();
        Assert.True(missing.Count == 0, "mapped to no option of amt: " + string.Join(", ", missing));
    }

    [Fact]
    public void ACrossSettingErrorNamesBothSettingsInTheLibraryAndBothFlagsOnTheCommandLine()
    {
        var e = Assert.Throws<ConfigException>(() => (AmtConfig.ForMae() with { MaskRatio = 0.6, ThrowRatio = 0.4 }).Validate(196));
        Assert.Equal("ThrowRatio: MaskRatio 0.6 + ThrowRatio 0.4 must be below 1 so that some patches stay visible", e.Message);
        Assert.Equal("--throw-ratio: --mask-ratio 0.6 + --throw-ratio 0.4 must be below 1 so that some patches stay visible",
            OptionNames.Describe(e));
        Assert.Equal("amt: --throw-ratio: --mask-ratio 0.6 + --throw-ratio 0.4 must be below 1 so that some patches stay visible",
            UserError("pretrain", "--mask-ratio", "0.6", "--throw-ratio", "0.4", "--print-config"));
    }

    [Fact]
    public void SettingsWhoseFlagIsSpelledDifferentlyAreRespelled()
    {
        Assert.StartsWith("amt: --amt-start-epoch: AMT would start at epoch 4",
            UserError("pretrain", "--epochs", "4", "--amt-start-epoch", "4", "--print-config"));
        Assert.Equal("accum", OptionNames.Flag(nameof(PretrainConfig.Accumulation)));
        Assert.Equal("blr", OptionNames.Flag(nameof(PretrainConfig.BaseLr)));
        // Errors the command line raises about its own flags keep them.
        Assert.Equal("resume-from-older", OptionNames.Flag("resume-from-older"));
    }

    [Theory]
    [InlineData(null, "No checkpoint was written yet: start again (--overwrite) with a lower --blr or with --clip-grad.")]
    [InlineData("/runs/a/checkpoints/epoch-0002.amtckpt",
        "The last finite checkpoint is /runs/a/checkpoints/epoch-0002.amtckpt: continue from it with --resume and a lower --blr, or start again with --clip-grad.")]
    public void AStoppedRunIsAdvisedInSettingsByTheLibraryAndInFlagsByTheCommandLine(string? last, string cliAdvice)
    {
        var e = new NonFiniteLossException(0, 2, 3, double.NaN, last);
        Assert.DoesNotContain("--", e.Message);
        Assert.Contains("BaseLr", e.Message);
        Assert.Equal($"loss is NaN at epoch 1, batch 3 (step 3); stopped. {cliAdvice}", OptionNames.Describe(e));
    }
}
