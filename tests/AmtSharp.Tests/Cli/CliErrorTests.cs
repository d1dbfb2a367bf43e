using System.CommandLine;
using AmtSharp.Cli;
using Xunit;
using static AmtSharp.Tests.Cli.CliHarness;

namespace AmtSharp.Tests.Cli;

/// <summary>A small pretrained run that the evaluation commands' error tests can point at.</summary>
public sealed class PretrainedRunFixture : IDisposable
{
    private readonly TestUtil.TempDir dir = new();

    public PretrainedRunFixture()
    {
        var (code, _, error) = Run("pretrain", "--depth", "1", "--epochs", "2", "--batch-size", "32", "--limit", "64",
            "--decoder-width", "32", "--decoder-depth", "1", "-o", dir.Path, "--quiet");
        Assert.True(code == 0, error);
    }

    public string RunFolder => dir.Path;

    public void Dispose() => dir.Dispose();
}

/// <summary>
/// The four user errors of every main command (unknown option, bad value, missing data path, unwritable output
/// folder, where the command has them): exit code 2 and one line naming what to fix.
/// </summary>
// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class CliErrorTests(PretrainedRunFixture run) : IClassFixture<PretrainedRunFixture>, IDisposable
{
    private const string MissingData = "/nonexistent/amtsharp-data";

    private readonly TestUtil.TempDir dir = new();

    public void Dispose() => dir.Dispose();

    // Small budgets: each case must fail before any work, but would finish quickly if it did not.
    private static readonly string[] TinyPretrain = ["--depth", "1", "--epochs", "2", "--batch-size", "32", "--limit", "64", "--decoder-width", "32", "--decoder-depth", "1", "--quiet"];
    private static readonly string[] TinyDemo = ["--epochs", "2", "--train-images", "64", "--test-images", "32", "--probe-epochs", "1", "--quiet"];

    [Theory]
    [InlineData("pretrain")]
    [InlineData("linprobe")]
    [InlineData("knn")]
    [InlineData("demo")]
    [InlineData("bench loader")]
    public void AnUnknownOptionIsNamed(string command)
    {
        string line = UserError([.. command.Split(' '), "--no-such-option", "3"]);
        Assert.Contains("'--no-such-option'", line);
    }

    [Theory]
    [InlineData("pretrain", "--epochs", "0", "--epochs must be a whole number of at least 1, got '0'")]
    [InlineData("pretrain", "--mask-ratio", "abc", "--mask-ratio must be a number in (0, 1), got 'abc'")]
    [InlineData("pretrain", "--preset", "paper", "--preset must be one of paper-mae-amt, ")]
    [InlineData("pretrain", "--device", "gpu", "--device must be cpu, cuda or cuda:N, got 'gpu'")]
    [InlineData("linprobe", "--batch-size", "0", "--batch-size must be a whole number of at least 1, got '0'")]
    [InlineData("linprobe", "--pooling", "max", "--pooling must be one of cls, meanpatch, got 'max'")]
    [InlineData("knn", "--k", "-5", "--k must be a whole number of at least 1, got '-5'")]
    [InlineData("knn", "--data-format", "jpeg", "--data-format must be one of synthetic, folder, ")]
    [InlineData("demo", "--train-images", "0", "--train-images must be a whole number of at least 1, got '0'")]
    [InlineData("demo", "--workers", "1000", "--workers must be a whole number in [1, 256], got '1000'")]
    public void ABadValueIsNamedWithItsRange(string command, string option, string value, string expected)
    {
        string[] args = command is "linprobe" or "knn" ? [command, "-c", run.RunFolder, option, value] : [command, option, value];
        Assert.Contains(expected, UserError(args));
    }

    [Fact]
    public void AnImpossibleCombinationIsNamed()
    {
        Assert.Contains("--patch-size: 5 does not divide the image size 32", UserError("pretrain", "--patch-size", "5", "--print-config"));
        Assert.Contains("--method: simmim does not match the preset 'paper-mae-amt'", UserError("pretrain", "--preset", "paper-mae-amt", "--method", "simmim"));
        Assert.Contains("--throw-ratio: applies only with AMT", UserError("pretrain", "--no-amt", "--throw-ratio", "0.2"));
        Assert.Contains("--mask-unit: does not apply to mae", UserError("pretrain", "--mask-unit", "8"));
    }

    [Theory]
    [InlineData("pretrain")]
    [InlineData("linprobe")]
    [InlineData("knn")]
    public void AMissingDataPathIsNamed(string command)
    {
        string[] args = command == "pretrain"
            ? ["pretrain", .. TinyPretrain, "--data", MissingData, "-o", Path.Combine(dir.Path, "out")]
            : [command, "-c", run.RunFolder, "--data", MissingData];
        Assert.Equal($"amt: data folder does not exist: {MissingData}", UserError(args));
    }

    [Theory]
    [InlineData("linprobe")]
    [InlineData("knn")]
    public void AMissingCheckpointIsNamed(string command)
    {
        string missing = Path.Combine(dir.Path, "no-run");
        Assert.Contains($"'{missing}'", UserError(command, "-c", missing));
    }

    [Theory]
    [InlineData("pretrain", "file")]
    [InlineData("pretrain", "under-file")]
    [InlineData("pretrain", "proc")]
    [InlineData("demo", "file")]
    [InlineData("demo", "under-file")]
    [InlineData("demo", "proc")]
    public void AnUnwritableOutputFolderIsNamedBeforeAnyWork(string command, string kind)
    {
        string file = Path.Combine(dir.Path, "a-file");
        File.WriteAllText(file, "not a folder");
        string output = kind switch
        {
            "file" => file,                                        // a file where the folder should be
            "under-file" => Path.Combine(file, "run"),             // a folder below a file: unwritable for root too
            _ => "/proc/amtsharp-run",                             // a file system that refuses new folders
        };
        AssertRefusedBeforeAnyWork(command, output);
    }

    [SkippableTheory]
    [InlineData("pretrain")]
    [InlineData("demo")]
    public void AReadOnlyOutputFolderIsNamedBeforeAnyWork(string command)
    {
        string output = Path.Combine(dir.Path, "read-only");
        Skip.IfNot(MakeReadOnly(output), "root ignores folder permissions (a folder below a file covers root)");
        AssertRefusedBeforeAnyWork(command, output);
    }

    private static void AssertRefusedBeforeAnyWork(string command, string output)
    {
        string[] args = [command, .. command == "pretrain" ? TinyPretrain : TinyDemo, "-o", output];
        var (code, stdout, error) = Run(args);
        Assert.Equal(Program.UserError, code);
        Assert.StartsWith($"amt: Run folder '{Path.GetFullPath(output)}': cannot be created or is not writable", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Equal("", stdout);                                  // nothing ran
    }

    [Fact]
    public void EveryOptionOfEveryCommandHasHelpText()
    {
        foreach (var (command, option) in AllOptions(Program.BuildRoot()))
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"amt {command} {option.Name} has no help text");
        }
    }

    [Fact]
    public void EveryNumericOptionHasACheckedRange()
    {
        // No numeric option of amt takes a negative number, so -1 must be refused by each one, by name.
        var root = Program.BuildRoot();
        int checkedOptions = 0;
        foreach (var (command, option) in AllOptions(root))
        {
            if (option.ValueType == typeof(int) || option.ValueType == typeof(long) || option.ValueType == typeof(double) || option.ValueType == typeof(int[]))
            {
                var errors = root.Parse([.. command.Split(' '), option.Name, "-1"]).Errors;
                Assert.True(errors.Any(e => e.Message.StartsWith(option.Name + " ", StringComparison.Ordinal)),
                    $"amt {command} {option.Name} -1: {string.Join("; ", errors.Select(e => e.Message))}");
                checkedOptions++;
            }
        }
        Assert.True(checkedOptions > 40, $"only {checkedOptions} numeric options found");
    }

    [Fact]
    public void InfoPrintsVersionsThreadsBackendAndDevices()
    {
        var (code, output, error) = Run("info");
        Assert.True(code == 0, error);
        Assert.Contains("TorchSharp      0.107", output);
        Assert.Contains($"Processors      {Environment.ProcessorCount} ", output);
        Assert.Contains($"Torch threads   {TorchSharp.torch.get_num_threads()} intra-op", output);
        Assert.Contains("Backend         cpu build", output);
        Assert.Contains("Devices         cpu", output);
    }

    private static IEnumerable<(string Command, Option Option)> AllOptions(Command command, string path = "")
    {
        foreach (var sub in command.Subcommands)
        {
            string name = (path + " " + sub.Name).Trim();
            foreach (var option in sub.Options)
            {
                yield return (name, option);
            }
            foreach (var nested in AllOptions(sub, name))
            {
                yield return nested;
            }
        }
    }

    private static bool MakeReadOnly(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            File.WriteAllText(Path.Combine(folder, "probe"), "");
            File.Delete(Path.Combine(folder, "probe"));
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}
