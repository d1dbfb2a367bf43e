using AmtSharp.Cli;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;
using Xunit;

namespace AmtSharp.Tests.Cli;

// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
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
        using var tuned = new TestUtil.TempDir();
        var finetune = Run("finetune", "-c", dir.Path, "--limit", "64", "--epochs", "1", "--warmup-epochs", "0", "--batch-size", "32",
            "-o", tuned.Path, "--quiet");
        Assert.True(finetune.Code == 0, finetune.Error);
        Assert.Contains("test top-1", finetune.Output);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(tuned.Path, "checkpoints")));
        Assert.Single(File.ReadAllLines(Path.Combine(tuned.Path, "metrics.jsonl")));
    }

    [Fact]
    public void FineTuneFromScratchPrintsTheResolvedConfiguration()
    {
        var (code, output, error) = Run("finetune", "--from-scratch", "--model", "vit_small", "--depth", "3", "--layer-decay", "0.65",
            "--pooling", "Cls", "--print-config");
        Assert.True(code == 0, error);
        Assert.Contains("layer-decay: 0.65\n", output);
        Assert.Contains("pooling: cls\n", output);
        Assert.Contains("ViT 384 wide, 3 blocks", output);
        Assert.Contains("model: vit_small\n", output);
        Assert.Contains("depth: 3\n", output);
        Assert.Contains("from-scratch: true\n", output);
    }

    [Theory]
    [InlineData("pretrain", "--epochs", "0")]
    [InlineData("pretrain", "--bogus-option")]
    [InlineData("pretrain", "--mask-ratio", "0.7", "--throw-ratio", "0.4", "--print-config", "false", "--limit", "64", "--epochs", "1")]
    [InlineData("pretrain", "--data", "/nonexistent/amtsharp-data", "--epochs", "1")]
    [InlineData("linprobe", "--checkpoint", "/nonexistent/run")]
    [InlineData("pretrain", "--patch-size", "5")]
    [InlineData("finetune", "--epochs", "1")]
    [InlineData("finetune", "--from-scratch", "--layer-decay", "0")]
    [InlineData("finetune", "--from-scratch", "--drop-path", "1.5")]
    [InlineData("finetune", "--from-scratch", "--mix-prob", "2")]
    [InlineData("finetune", "--from-scratch", "--pooling", "max")]
    [InlineData("finetune", "--from-scratch", "-c", "/nonexistent/run")]
    [InlineData("finetune", "-c", "/nonexistent/run", "--model", "vit_small")]
    [InlineData("finetune", "-c", "/nonexistent/run")]
    [InlineData("finetune", "--from-scratch", "--epochs", "2", "--warmup-epochs", "2")]
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

    [Fact]
    public void TheSmallViTPresetAt224PixelsResolvesAndIsListed()
    {
        var (code, output, _) = Run("pretrain", "--preset", "small-224", "--print-config");
        Assert.Equal(0, code);
        Assert.Contains("preset: small-224\n", output);
        Assert.Contains("image-size: 224\n", output);
        Assert.Contains("patch-size: 16\n", output);
        Assert.Contains("model: vit_small\n", output);
        Assert.Contains("# encoder: ViT 384 wide, 12 blocks, 6 heads, 16 px patches at 224 px", output);
        var (listed, list, _) = Run("pretrain", "--list-presets");
        Assert.Equal(0, listed);
        Assert.Contains("small-224 ", list);
        Assert.Contains("prior-on-object ", list);
    }
}
