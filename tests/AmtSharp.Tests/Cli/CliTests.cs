using AmtSharp.Cli;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;
using Xunit;

namespace AmtSharp.Tests.Cli;

public sealed class CliTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void PretrainThenLinearProbeAndKnnFromTheCheckpoint()
    {
        using var dir = new TestUtil.TempDir();
        var (code, _, error) = Run("pretrain", "--depth", "1", "--epochs", "2", "--batch-size", "32", "--limit", "128",
            "--decoder-width", "32", "--decoder-depth", "1", "-o", dir.Path, "--quiet");
        Assert.True(code == 0, error);
        var probe = Run("linprobe", "-c", dir.Path, "--limit", "128", "--epochs", "2", "--batch-size", "64");
        Assert.True(probe.Code == 0, probe.Error);
        Assert.Contains("linear probe: top-1", probe.Output);
        var knn = Run("knn", "-c", dir.Path, "--limit", "128");
        Assert.True(knn.Code == 0, knn.Error);
        Assert.Contains("kNN (k=20): top-1", knn.Output);
    }

    [Theory]
    [InlineData("pretrain", "--epochs", "0")]
    [InlineData("pretrain", "--bogus-option")]
    [InlineData("pretrain", "--mask-ratio", "0.7", "--throw-ratio", "0.4", "--print-config", "false", "--limit", "64", "--epochs", "1")]
    [InlineData("pretrain", "--data", "/nonexistent/amtsharp-data", "--epochs", "1")]
    [InlineData("linprobe", "--checkpoint", "/nonexistent/run")]
    [InlineData("pretrain", "--patch-size", "5")]
    public void UserErrorsGiveOneLineAndExitCodeTwo(params string[] args)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(Program.UserError, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("amt: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void PrintConfigShowsTheResolvedConfiguration()
    {
        var (code, output, _) = Run("pretrain", "--method", "simmim", "--print-config");
        Assert.Equal(0, code);
        Assert.Contains("preset: cifar-simmim-amt\n", output);
        Assert.Contains("method: simmim\n", output);
        Assert.Contains("throw-ratio: 0.26\n", output);
    }
}
