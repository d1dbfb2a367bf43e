using AmtSharp.Cli;
using AmtSharp.Models.Interop;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Pretraining;
using Xunit;
using static AmtSharp.Tests.Cli.CliHarness;
using static AmtSharp.Tests.Interop.InteropTestData;

namespace AmtSharp.Tests.Interop;

/// <summary>`amt prior` and `amt visualize` on the PyTorch files `linprobe` reads, and the head count of a .pth.</summary>
// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class ForeignCheckpointInspectionTests : IDisposable
{
    private readonly TestUtil.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string P(string name) => Path.Combine(_dir.Path, name);

    [Theory]
    [InlineData(EncoderOnlyMae)]
    [InlineData(FullMae)]
    public void PriorComputesTheAttentionPriorOfAnOfficialMaeCheckpoint(string fixture)
    {
        var (code, output, error) = Run("prior", "-c", TestUtil.FixturePath(fixture), "--heads", "4", "--limit", "24", "--batch-size", "8",
            "--images", "2", "--workers", "1", "-o", P("prior"));
        Assert.True(code == 0, error);
        Assert.Contains("4 heads", output);
        Assert.Contains("(24 images", output);
        Assert.True(File.Exists(P("prior/prior.amtprior")));
    }

    [Fact]
    public void VisualizeDrawsAnOfficialMaeCheckpointAndSaysWhenTheDecoderIsUntrained()
    {
        var (code, output, error) = Run("visualize", "-c", TestUtil.FixturePath(EncoderOnlyMae), "--heads", "4", "--limit", "16", "--images", "2", "-o", P("vis"));
        Assert.True(code == 0, error);
        Assert.Contains("no decoder was loaded", output);
        Assert.True(File.Exists(P("vis/masking.png")) && File.Exists(P("vis/attention.png")));
    }

    [Fact]
    public void TheLoadedEncoderIsTheFilesEncoder()
    {
        using var model = PretrainedModel.Load(TestUtil.FixturePath(EncoderOnlyMae), new InteropOptions(Heads: 4));
        var (encoder, _) = PyTorchInterop.LoadEncoder(TestUtil.FixturePath(EncoderOnlyMae), new InteropOptions(Heads: 4));
        using (encoder)
        {
            AssertSameState(encoder, model.Model.Encoder);
        }
        Assert.True(model.DecoderAtInitialisation);
    }

    // A 384-wide encoder (ViT-S width, depth 1, one 16 px patch) written as MAE writes training checkpoints.
    private string WriteSmallPth(string name, IReadOnlyDictionary<string, object>? args)
    {
        using var vit = new VisionTransformer(new VitConfig(16, 16, 3, Width: 384, Depth: 1, Heads: 6));
        string path = P(name);
        PyTorchFile.Write(path, vit.state_dict(), metadata: null, args);
        return path;
    }

    [Fact]
    public void HeadsComeFromMaesArgsAndTheDefaultIsAWarningNamingTheOption()
    {
        string named = WriteSmallPth("named.pth", new Dictionary<string, object> { ["model"] = "mae_vit_small_patch16", ["norm_pix_loss"] = true });
        var (encoder, report) = PyTorchInterop.LoadEncoder(named);
        using (encoder)
        {
            Assert.Equal(6, encoder.Config.Heads);
            Assert.Contains(report.Notes, n => n.Contains("args.model 'mae_vit_small_patch16'"));
            Assert.DoesNotContain(report.Notes, n => n.Contains("«Heads»"));
        }

        // Explicit heads in the args win over the width's standard count.
        string explicitHeads = WriteSmallPth("explicit.pth", new Dictionary<string, object> { ["model"] = "my_vit", ["num_heads"] = 12 });
        (encoder, report) = PyTorchInterop.LoadEncoder(explicitHeads);
        using (encoder)
        {
            Assert.Equal(12, encoder.Config.Heads);
        }

        // No args: the default, with a warning that names --heads (printed by every command that loads it).
        string bare = WriteSmallPth("bare.pth", null);
        (encoder, report) = PyTorchInterop.LoadEncoder(bare);
        using (encoder)
        {
            Assert.Equal(6, encoder.Config.Heads);
            Assert.Contains(report.Notes, n => n.StartsWith("warning:") && n.Contains("«Heads»"));
        }
        var (code, output, error) = Run("prior", "-c", bare, "--limit", "8", "--batch-size", "8", "--images", "1", "--workers", "1", "-o", P("prior"));
        Assert.True(code == 0, error);
        Assert.Contains("pass --heads N", output);
    }
}
