using System.Security.Cryptography;
using AmtSharp.Cli;
using AmtSharp.Training.Runs;
using Xunit;
using static AmtSharp.Tests.Cli.CliHarness;

namespace AmtSharp.Tests.Cli;

/// <summary>
/// Run folders that cannot be lost (issue 12): the lock, no silent reuse of a folder holding a run, and refused
/// commands that write nothing.
/// </summary>
// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class RunFolderCliTests : IDisposable
{
    private static readonly string[] Tiny = ["--depth", "1", "--epochs", "2", "--batch-size", "32", "--limit", "64",
        "--decoder-width", "32", "--decoder-depth", "1", "--checkpoint-every", "1", "--quiet"];

    private readonly TestUtil.TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string RunDir => Path.Combine(dir.Path, "run");

    private static (int Code, string Output, string Error) Pretrain(string output, params string[] extra) =>
        Run(["pretrain", .. Tiny, "-o", output, .. extra]);

    /// <summary>Every file below <paramref name="folder"/> with a hash of its bytes.</summary>
    internal static SortedDictionary<string, string> Files(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));

    [Fact]
    public void APretrainOnAFolderLockedByAnotherRunIsRefusedAndTouchesNothing()
    {
        Directory.CreateDirectory(RunDir);
        using var holder = RunFolder.Open(RunDir, new RunFolderOpening(RunFolderMode.Reuse, "amt pretrain"));
        var before = Files(RunDir);
        string line = UserError(["pretrain", .. Tiny, "-o", RunDir]);
        Assert.Contains($"is in use by amt pretrain (PID {Environment.ProcessId} on {Environment.MachineName}", line);
        Assert.Equal(before, Files(RunDir));
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("bf16")]
    public void AResumeWithTheDefaultPrecisionKeepsTheOneTheRunStartedWith(string started)
    {
        // `auto` is measured per process and may come out differently under load; the resumed run must not switch.
        var first = Pretrain(RunDir, "--precision", started);
        Assert.True(first.Code == 0, first.Error);
        var resumed = Run(["pretrain", .. Tiny.Where(a => a != "--quiet"), "-o", RunDir, "--resume"]);
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Contains("resume: from ", resumed.Output);
        Assert.DoesNotContain("precision changed", resumed.Output);
        Assert.Equal(started, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RunDir, RunFolder.ConfigFile)))!["precision"]!.GetValue<string>());
        // An explicit choice still wins, with the note that says so.
        string other = started == "fp32" ? "bf16" : "fp32";
        var switched = Run(["pretrain", .. Tiny.Where(a => a != "--quiet"), "-o", RunDir, "--resume", "--precision", other]);
        Assert.True(switched.Code == 0, switched.Error);
        Assert.Contains($"resume: precision changed from \"{started}\" to \"{other}\"", switched.Output);
    }

    [Fact]
    public void AFinishedRunReleasesItsLock()
    {
        var (code, _, error) = Pretrain(RunDir);
        Assert.True(code == 0, error);
        Assert.False(File.Exists(Path.Combine(RunDir, RunLock.FileName)));
    }

    [Fact]
    public void AFolderHoldingARunIsNotReusedWithoutResumeOrOverwrite()
    {
        var first = Pretrain(RunDir);
        Assert.True(first.Code == 0, first.Error);
        var before = Files(RunDir);
        string line = UserError(["pretrain", .. Tiny, "-o", RunDir, "--mask-ratio", "0.5"]);
        Assert.Contains("already holds a run", line);
        Assert.Contains("pass --resume to continue it, or --overwrite to delete it and start again", line);
        Assert.Equal(before, Files(RunDir));
    }

    [Fact]
    public void OverwriteDeletesTheOldRunExplicitlyAndKeepsOtherFiles()
    {
        var first = Pretrain(RunDir);
        Assert.True(first.Code == 0, first.Error);
        File.WriteAllText(Path.Combine(RunDir, "my-notes.txt"), "not part of the run");
        var (code, output, error) = Pretrain(RunDir, "--overwrite");
        Assert.True(code == 0, error);
        string note = Assert.Single(output.Split('\n'), l => l.StartsWith("overwrite: deleted the previous run", StringComparison.Ordinal));
        Assert.Contains("config.json", note);
        Assert.Contains("checkpoints/ (3 files)", note);                // two checkpoints and the pointer to the newest
        Assert.True(File.Exists(Path.Combine(RunDir, "my-notes.txt")));
        // Only the new run's records are left: two epochs, not four.
        Assert.Equal(2, Directory.GetFiles(Path.Combine(RunDir, "checkpoints"), "*.amtckpt").Length);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(RunDir, RunFolder.MetricsFile)).Length);
    }

    [Fact]
    public void OverwriteAndResumeCannotBeCombined() =>
        Assert.Contains("--overwrite", UserError(["pretrain", .. Tiny, "-o", RunDir, "--resume", "--overwrite"]));

    [Theory]
    [InlineData("demo")]
    [InlineData("finetune")]
    public void DemoAndFineTuneRefuseAFolderHoldingARunAndSuggestWhatTheyCan(string command)
    {
        Directory.CreateDirectory(RunDir);
        File.WriteAllText(Path.Combine(RunDir, RunFolder.ConfigFile), "{}");
        var before = Files(RunDir);
        string[] args = command == "demo"
            ? ["demo", "--epochs", "1", "--train-images", "64", "--test-images", "32", "--probe-epochs", "1", "--quiet", "-o", RunDir]
            : ["finetune", "--from-scratch", "--depth", "1", "--limit", "64", "--epochs", "1", "--warmup-epochs", "0", "--batch-size", "32", "--quiet", "-o", RunDir];
        string line = UserError(args);
        // Both checkpoint every epoch and resume like pretrain.
        Assert.Contains("already holds a run (config.json); pass --resume to continue it, or --overwrite to delete it and start again", line);
        Assert.Equal(before, Files(RunDir));
    }

    [Fact]
    public void ResumeOnAMissingFolderRefusesWithoutCreatingIt()
    {
        string line = UserError(["pretrain", .. Tiny, "-o", RunDir, "--resume"]);
        Assert.Contains("does not exist, so there is no run to resume", line);
        Assert.False(Directory.Exists(RunDir));
    }

    [Fact]
    public void ResumeOnAnEmptyFolderRefusesAndLeavesItEmpty()
    {
        Directory.CreateDirectory(RunDir);
        string line = UserError(["pretrain", .. Tiny, "-o", RunDir, "--resume"]);
        Assert.Contains("holds no run to resume", line);
        Assert.Empty(Directory.EnumerateFileSystemEntries(RunDir));
    }

    [Fact]
    public void ARefusedResumeLeavesEveryFileByteIdentical()
    {
        var first = Pretrain(RunDir);
        Assert.True(first.Code == 0, first.Error);
        var before = Files(RunDir);
        // Another mask ratio is another experiment: refused, and config.json, environment.json, the event files and
        // steps.csv must stay the first run's.
        string line = UserError(["pretrain", .. Tiny, "-o", RunDir, "--resume", "--mask-ratio", "0.5"]);
        Assert.Contains("was written with a different configuration", line);
        Assert.Equal(before, Files(RunDir));
    }

    [Fact]
    public void ARefusedConfigurationCreatesNoFolder()
    {
        UserError(["pretrain", .. Tiny, "-o", RunDir, "--batch-size", "128"]);   // more than the 64 images
        Assert.False(Directory.Exists(RunDir));
    }

    [Fact]
    public void ADivergedRunStopsWithExitCodeThreeAndOneLine()
    {
        // lr 1.25 with weight decay 10: AdamW scales every decayed weight by 1 − 12.5 each step, so they overflow within 40 steps.
        var (code, output, error) = Run(["pretrain", "--depth", "1", "--epochs", "30", "--batch-size", "32", "--limit", "64", "--decoder-width", "32",
            "--decoder-depth", "1", "--quiet", "-o", RunDir, "--blr", "10", "--weight-decay", "10", "--warmup-epochs", "0", "--no-norm-pix"]);
        Assert.True(code == Program.StoppedRun, $"exit {code}: {error}{output}");
        string line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("amt: ", line);
        Assert.Contains("stopped", line);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void ResumeNamesADamagedNewestCheckpointAndContinuesFromAnOlderOneOnlyWhenAsked()
    {
        var first = Pretrain(RunDir);
        Assert.True(first.Code == 0, first.Error);
        string newest = Directory.GetFiles(Path.Combine(RunDir, "checkpoints"), "*.amtckpt").Max()!;
        using (var fs = new FileStream(newest, FileMode.Open))
        {
            fs.SetLength(100);
        }
        string line = UserError(["pretrain", .. Tiny, "-o", RunDir, "--resume"]);
        Assert.Contains(newest, line);
        Assert.Contains("is truncated", line);
        Assert.Contains("pass --resume-from-older", line);

        var (code, output, error) = Pretrain(RunDir, "--resume", "--resume-from-older");
        Assert.True(code == 0, error);
        Assert.Contains($"resume: skipping the damaged checkpoint {newest}: is truncated", output);
        Assert.Contains("resume: from ", output);
        Assert.Contains(": 1 epoch(s) done, step 2", output);
    }

    [Fact]
    public void ResumeFromOlderNeedsResume() =>
        Assert.Contains("--resume-from-older: only applies with --resume", UserError(["pretrain", .. Tiny, "-o", RunDir, "--resume-from-older"]));

    [Fact]
    public void ExportRefusesNonFiniteWeights()
    {
        var first = Pretrain(RunDir);
        Assert.True(first.Code == 0, first.Error);
        string newest = Directory.GetFiles(Path.Combine(RunDir, "checkpoints"), "*.amtckpt").Max()!;
        Training.ResumeSafetyTests.Damage(newest, "non-finite");
        string target = Path.Combine(dir.Path, "encoder.safetensors");
        string line = UserError("export", "-c", newest, "-o", target);
        Assert.Contains("holds 1 non-finite weights", line);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void KeepCheckpointsKeepsOnlyTheNewest()
    {
        var (code, _, error) = Pretrain(RunDir, "--keep-checkpoints", "1");
        Assert.True(code == 0, error);
        Assert.Equal(["checkpoint-2000000.amtckpt"], Directory.GetFiles(Path.Combine(RunDir, "checkpoints"), "*.amtckpt").Select(Path.GetFileName));
    }

    [SkippableFact]
    public void AWriterHittingAFullDiskEndsWithOneLineAndExitTwo()
    {
        Skip.IfNot(File.Exists("/dev/full"), "no /dev/full to write to here");
        Directory.CreateDirectory(RunDir);
        // loss.png is drawn at each epoch's end, so the run fails mid-way, as on a disk that fills up during training.
        File.CreateSymbolicLink(Path.Combine(RunDir, "loss.png"), "/dev/full");
        string line = UserError(["pretrain", .. Tiny, "-o", RunDir]);
        Assert.Contains("No space left on device", line);
        Assert.False(File.Exists(Path.Combine(RunDir, RunLock.FileName)));
    }
}
