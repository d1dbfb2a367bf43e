using AmtSharp.Masking;
using AmtSharp.Models.Interop;
using AmtSharp.Models.Vit;
using Xunit;
using static AmtSharp.Tests.Interop.InteropTestData;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Interop;

/// <summary>
/// Official MAE and timm checkpoints written by PyTorch (tools/fixtures/make_parity_fixtures.py) load into our
/// models with the right values, reproduce PyTorch's outputs, and keep our requires_grad flags.
/// </summary>
public sealed class PyTorchCheckpointTests
{
    [Fact]
    public void EncoderOnlyMaeCheckpointLoadsItsValuesAndReproducesPyTorch()
    {
        var parity = TestUtil.LoadFixture("parity_mae.pt");
        var (encoder, report) = PyTorchInterop.LoadEncoder(TestUtil.FixturePath(EncoderOnlyMae), new InteropOptions(Heads: 4));
        using (encoder)
        {
            Assert.Equal(Tiny, encoder.Config);
            foreach (var (key, value) in ParityEncoderParams(parity))
            {
                AssertBitEqual(value, encoder.state_dict()[key], key);
            }
            Assert.Equal(encoder.state_dict().Count, report.Loaded.Count);
            Assert.Empty(report.Missing);
            Assert.Empty(report.Unexpected);
            Assert.Empty(report.Ignored);
            Assert.Contains("state dict taken from the 'model' entry", report.Notes);
            Assert.Contains("other entries not used: args, epoch", report.Notes);
            Assert.Contains("pos_embed: fixed 2-D sin-cos", report.Notes);

            encoder.eval();
            using var noGrad = no_grad();
            TestUtil.AssertClose(parity["out.encoder_full"], encoder.forward(parity["input.x"]), what: "encoder output");
        }
    }

    [Fact]
    public void LoadedParametersKeepOurRequiresGradAndTrain()
    {
        var parity = TestUtil.LoadFixture("parity_mae.pt");
        var (encoder, _) = PyTorchInterop.LoadEncoder(TestUtil.FixturePath(EncoderOnlyMae), new InteropOptions(Heads: 4));
        using (encoder)
        {
            // The pickled tensors all say requires_grad = False (PyBridge's load_py copies that flag); ours must not follow them.
            foreach (var (name, p) in encoder.named_parameters())
            {
                Assert.True(p.requires_grad == (name != "pos_embed"), $"{name}: requires_grad {p.requires_grad}");
            }
            encoder.forward(parity["input.x"]).square().mean().backward();
            foreach (var (name, p) in encoder.named_parameters().Where(p => p.parameter.requires_grad))
            {
                Assert.True(p.grad is not null && p.grad.abs().max().item<float>() > 0, $"{name} got no gradient");
            }
        }
    }

    [Fact]
    public void FullMaeCheckpointLoadsTheDecoderAndReproducesTheLoss()
    {
        var parity = TestUtil.LoadFixture("parity_mae.pt");
        var (mae, report) = PyTorchInterop.LoadMae(TestUtil.FixturePath(FullMae), new InteropOptions(Heads: 4, DecoderHeads: 2));
        using (mae)
        {
            Assert.Equal(Tiny, mae.Config.Encoder);
            Assert.Equal((16, 1, 2, 4.0), (mae.Config.DecoderWidth, mae.Config.DecoderDepth, mae.Config.DecoderHeads, mae.Config.DecoderMlpRatio));
            Assert.Empty(report.Missing);
            Assert.Empty(report.Ignored);
            var state = mae.state_dict();
            foreach (var (key, value) in parity.Where(kv => kv.Key.StartsWith("param.")))
            {
                string flat = key["param.".Length..];
                AssertBitEqual(value, state[StateDictKeys.ToMaskedAutoencoder(flat)], flat);
            }
            using var plan = RandomMasking.Mae(Tiny.GridSize, 0.75).PlanFromNoise(parity["input.noise"]);
            var output = mae.Forward(parity["input.x"], plan);
            TestUtil.AssertClose(parity["out.mae_loss"], output.Loss, what: "MAE loss");
        }
    }

    [Fact]
    public void LoadingOnlyTheEncoderFromAFullMaeReportsTheDecoderAsIgnored()
    {
        var (encoder, report) = PyTorchInterop.LoadEncoder(TestUtil.FixturePath(FullMae), new InteropOptions(Heads: 4));
        using (encoder)
        {
            var decoder = Assert.Single(report.Ignored);
            Assert.StartsWith("pretraining decoder", decoder.Key);
            Assert.Contains("mask_token", decoder.Value);
            Assert.Contains("decoder_pred.weight", decoder.Value);
            Assert.DoesNotContain(decoder.Value, k => InteropTestData.EncoderRoots.Any(k.StartsWith));
        }
    }

    [Fact]
    public void LoadingAnMaeFromAnEncoderOnlyFileIsRefused()
    {
        var e = Assert.Throws<CheckpointException>(() => PyTorchInterop.LoadMae(TestUtil.FixturePath(EncoderOnlyMae), new InteropOptions(Heads: 4)));
        Assert.Contains("holds no MAE decoder", e.Message);
        Assert.Contains(EncoderOnlyMae, e.Message);
    }

    [Fact]
    public void TimmSafetensorsLoadsAtItsOwnGridAndReportsTheHead()
    {
        var expected = TestUtil.LoadFixture(Expected);
        var (encoder, report) = PyTorchInterop.LoadEncoder(TestUtil.FixturePath(TimmGrid6), new InteropOptions(Heads: 4));
        using (encoder)
        {
            Assert.Equal(Tiny with { ImageSize = 24 }, encoder.Config);
            var head = Assert.Single(report.Ignored);
            Assert.Equal(["head.bias", "head.weight"], head.Value.Order());
            Assert.Contains("pos_embed: learned", report.Notes);
            Assert.False(encoder.named_parameters().Single(p => p.name == "pos_embed").parameter.requires_grad);
            encoder.eval();
            using var noGrad = no_grad();
            TestUtil.AssertClose(expected["out.tokens6"], encoder.forward(expected["input.x6"]), what: "tokens at grid 6");
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void TimmSafetensorsResizedToAnotherGridMatchesPyTorch(int grid)
    {
        var expected = TestUtil.LoadFixture(Expected);
        var (encoder, report) = PyTorchInterop.LoadEncoder(TestUtil.FixturePath(TimmGrid6), new InteropOptions(Heads: 4, ImageSize: grid * 4));
        using (encoder)
        {
            Assert.Equal(grid, encoder.Config.GridSize);
            Assert.Contains($"pos_embed: resized from a 6×6 to a {grid}×{grid} grid (bicubic)", report.Notes);
            TestUtil.AssertClose(expected[$"pos_embed.grid{grid}"], encoder.PosEmbed, tol: 1e-5, what: "resized pos_embed");
            encoder.eval();
            using var noGrad = no_grad();
            TestUtil.AssertClose(expected[$"out.tokens{grid}"], encoder.forward(expected[$"input.x{grid}"]), what: $"tokens at grid {grid}");
        }
    }

    [Fact]
    public void HeadsThatShapesCannotShowMustBeGivenForNonStandardWidths()
    {
        var e = Assert.Throws<ConfigException>(() => PyTorchInterop.LoadEncoder(TestUtil.FixturePath(TimmGrid6)));
        Assert.Equal(nameof(InteropOptions.Heads), e.Setting);
        Assert.Equal(12, ArchitectureInference.StandardHeads(768));
        Assert.Equal(16, ArchitectureInference.StandardHeads(1280));
        Assert.Null(ArchitectureInference.StandardHeads(32));
    }

    [Fact]
    public void ACheckpointOfAnotherWidthIsRefusedNamingFileAndKey()
    {
        var wide = Tiny with { Width = 64 };
        var e = Assert.Throws<CheckpointException>(() => PyTorchInterop.LoadEncoder(TestUtil.FixturePath(EncoderOnlyMae), new InteropOptions(Encoder: wide)));
        Assert.Contains(EncoderOnlyMae, e.Message);
        Assert.Contains("'patch_embed.proj.weight' is [32, 3, 4, 4] in the file but [64, 3, 4, 4] in the model", e.Message);
        Assert.Contains("'blocks.0.attn.qkv.weight' is [96, 32] in the file but [192, 64] in the model", e.Message);
    }

    [Fact]
    public void ADeeperModelIsRefusedWhenStrictAndReportsMissingKeysWhenNot()
    {
        var deeper = new InteropOptions(Encoder: Tiny with { Depth = 3 });
        var e = Assert.Throws<CheckpointException>(() => PyTorchInterop.LoadEncoder(TestUtil.FixturePath(EncoderOnlyMae), deeper));
        Assert.Contains("missing from the file: blocks.2.", e.Message);

        var (encoder, report) = PyTorchInterop.LoadEncoder(TestUtil.FixturePath(EncoderOnlyMae), deeper with { Strict = false });
        using (encoder)
        {
            Assert.Equal(12, report.Missing.Count);
            Assert.All(report.Missing, k => Assert.StartsWith("blocks.2.", k));
            Assert.Contains("NOT in the file", report.Describe());
        }
    }
}
