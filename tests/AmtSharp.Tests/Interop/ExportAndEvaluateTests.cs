using AmtSharp.Cli;
using AmtSharp.Models.Interop;
using AmtSharp.Models.Mae;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Pretraining;
using Xunit;
using static AmtSharp.Tests.Interop.InteropTestData;

namespace AmtSharp.Tests.Interop;

/// <summary>`amt export`, and linprobe / knn / <see cref="PretrainedEncoder"/> on foreign files.</summary>
// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class ExportAndEvaluateTests : IDisposable
{
    private readonly TestUtil.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string P(string name) => Path.Combine(_dir.Path, name);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void ExportWritesTheEncoderWithTimmNamesFromARunFolder()
    {
        string checkpoints = Path.Combine(_dir.Path, "run", "checkpoints");
        Directory.CreateDirectory(checkpoints);
        string checkpoint = WriteOwnCheckpoint(checkpoints, SmallPretrainConfig(), Path.GetFileName(new CheckpointFolder(checkpoints).PathFor(1)));

        var (code, output, error) = Run("export", "-c", Path.Combine(_dir.Path, "run"), "-o", P("out/encoder.safetensors"));
        Assert.True(code == 0, error);
        Assert.Contains("wrote 18 tensors of the encoder (32 px, patch 4, width 32, depth 1, 2 heads)", output);

        using var ours = PretrainedModel.Load(checkpoint);
        using (var file = WeightsFile.Read(P("out/encoder.safetensors")))
        {
            Assert.Equal(ours.Model.Encoder.state_dict().Keys, file.Tensors.Keys);     // timm names, module order
            Assert.Contains("patch_embed.proj.weight", file.Tensors.Keys);
        }
        var (loaded, _) = PyTorchInterop.LoadEncoder(P("out/encoder.safetensors"));
        using (loaded)
        {
            Assert.Equal(ours.Model.Encoder.Config, loaded.Config);
            AssertSameState(ours.Model.Encoder, loaded);
        }
    }

    [Fact]
    public void ExportWithTheDecoderWritesOfficialMaeNames()
    {
        string checkpoint = WriteOwnCheckpoint(_dir.Path, SmallPretrainConfig());
        var (code, output, error) = Run("export", "-c", checkpoint, "-o", P("mae_full.pth"), "--with-decoder");
        Assert.True(code == 0, error);
        Assert.Contains("with its decoder", output);

        using var ours = PretrainedModel.Load(checkpoint);
        var (loaded, _) = PyTorchInterop.LoadMae(P("mae_full.pth"));
        using (loaded)
        {
            AssertSameState((MaskedAutoencoder)ours.Model, loaded);
        }
    }

    [Fact]
    public void ExportCanResizeAnEncoderToAnotherImageSize()
    {
        string checkpoint = WriteOwnCheckpoint(_dir.Path, SmallPretrainConfig());
        var (code, output, error) = Run("export", "-c", checkpoint, "-o", P("encoder24.pth"), "--image-size", "24");
        Assert.True(code == 0, error);
        Assert.Contains("pos_embed: resized from a 8×8 to a 6×6 grid (bicubic)", output);
        Assert.Contains("pos_embed: fixed 2-D sin-cos", output);
        var (loaded, _) = PyTorchInterop.LoadEncoder(P("encoder24.pth"));
        using (loaded)
        {
            Assert.Equal(24, loaded.Config.ImageSize);
        }
    }

    [Fact]
    public void KnnRunsOnAnOfficialMaeCheckpoint()
    {
        // A small two-class image folder at the checkpoint's 16 px keeps this fast.
        foreach (var (split, count) in new[] { ("train", 8), ("test", 4) })
        {
            foreach (var (label, blue) in new[] { ("dark", (byte)20), ("light", (byte)230) })
            {
                Directory.CreateDirectory(P($"data/{split}/{label}"));
                for (int i = 0; i < count; i++)
                {
                    Data.TestImages.Write(P($"data/{split}/{label}/{i}.png"), Data.TestImages.Gradient(16 + i, 16, blue));
                }
            }
        }
        var (code, output, error) = Run("knn", "-c", TestUtil.FixturePath(EncoderOnlyMae), "--heads", "4", "--data", P("data"), "--k", "3");
        Assert.True(code == 0, error);
        Assert.Contains("loaded 30 tensors from PyTorch file", output);
        Assert.Contains("kNN (k=3): top-1", output);
    }

    [Fact]
    public void PretrainedEncoderTakesOurCheckpointsAsTheyAreAndResizesOnRequest()
    {
        string checkpoint = WriteOwnCheckpoint(_dir.Path, SmallPretrainConfig(seed: 11));
        using (var same = PretrainedEncoder.Load(checkpoint))
        {
            Assert.Null(same.Report);
            Assert.Equal(11, same.Seed);
            Assert.Equal(32, same.Encoder.Config.ImageSize);
            Assert.Contains("loaded the Mae encoder (32 px", same.Describe());
        }
        using (var resized = PretrainedEncoder.Load(checkpoint, new InteropOptions(ImageSize: 48)))
        {
            Assert.Equal(12, resized.Encoder.Config.GridSize);
            Assert.Equal(11, resized.Seed);
            Assert.NotNull(resized.Report);
            Assert.True(resized.Encoder.named_parameters().Where(p => p.name != "pos_embed").All(p => p.parameter.requires_grad));
        }
        var e = Assert.Throws<ConfigException>(() => PretrainedEncoder.Load(checkpoint, new InteropOptions(Heads: 4)));
        Assert.Equal(nameof(InteropOptions.Heads), e.Setting);
        using (var foreign = PretrainedEncoder.Load(TestUtil.FixturePath(TimmGrid6), new InteropOptions(Heads: 4)))
        {
            Assert.Null(foreign.PretrainConfig);
            Assert.Equal(0, foreign.Seed);
            Assert.Equal(24, foreign.Encoder.Config.ImageSize);
        }
    }

    [Fact]
    public void BadExportRequestsAreUserErrors()
    {
        string checkpoint = WriteOwnCheckpoint(_dir.Path, SmallPretrainConfig());
        File.WriteAllBytes(P("cut.pth"), File.ReadAllBytes(TestUtil.FixturePath(EncoderOnlyMae))[..5000]);
        string[][] cases =
        [
            ["export", "-c", checkpoint, "-o", P("encoder.txt")],
            ["export", "-c", TestUtil.FixturePath(EncoderOnlyMae), "-o", P("x.safetensors"), "--with-decoder"],
            ["export", "-c", P("cut.pth"), "-o", P("x.safetensors"), "--heads", "4"],
            ["export", "-c", checkpoint, "-o", P("x.safetensors"), "--image-size", "30"],
            ["knn", "-c", TestUtil.FixturePath(TimmGrid6)],
        ];
        string[] expected = ["--output:", "--with-decoder:", "cut.pth': is truncated or corrupted", "--image-size:", "--heads:"];
        for (int i = 0; i < cases.Length; i++)
        {
            var (code, _, error) = Run(cases[i]);
            Assert.Equal(Program.UserError, code);
            Assert.Single(error.Trim().Split('\n'));
            Assert.StartsWith("amt: ", error);
            Assert.True(error.Contains(expected[i]), $"'{expected[i]}' not in: {error}");
        }
        Assert.False(File.Exists(P("x.safetensors")));
    }
}
