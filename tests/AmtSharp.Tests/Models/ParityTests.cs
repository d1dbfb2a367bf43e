using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Models.Mae;
using AmtSharp.Models.SimMim;
using AmtSharp.Models.Vit;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Models;

/// <summary>
/// Agreement with PyTorch: golden files from tools/fixtures/make_parity_fixtures.py (PyTorch 1.13, float64
/// reference) for a tiny configuration. Every tensor must agree within 1e-4, relative.
/// </summary>
public sealed class ParityTests
{
    private static readonly VitConfig Tiny = new(ImageSize: 16, PatchSize: 4, InChannels: 3, Width: 32, Depth: 2, Heads: 4);

    private static readonly string[] EncoderRoots = ["cls_token", "pos_embed", "patch_embed.", "blocks.", "norm."];

    [Fact]
    public void EncoderOutputAttentionAndPriorMatchPyTorch()
    {
        var f = TestUtil.LoadFixture("parity_mae.pt");
        using var mae = LoadMae(f);
        mae.eval();
        using var noGrad = no_grad();
        var (tokens, attention) = mae.Encoder.ForwardWithLastAttention(f["input.x"]);
        TestUtil.AssertClose(f["out.encoder_full"], tokens, what: "encoder");
        TestUtil.AssertClose(f["out.last_attn"], attention, what: "last attention");
        TestUtil.AssertClose(f["out.encoder_full"], mae.Encoder.forward(f["input.x"]), what: "fused encoder");
        TestUtil.AssertClose(f["out.last_attn"], mae.Encoder.LastBlockAttention(f["input.x"]), what: "attention only");
        TestUtil.AssertClose(f["out.prior"], AttentionPrior.FromAttention(attention), what: "prior");
    }

    [Fact]
    public void MaeLossPredictionAndGradientsMatchPyTorch()
    {
        var f = TestUtil.LoadFixture("parity_mae.pt");
        using var mae = LoadMae(f);
        using var plan = RandomMasking.Mae(Tiny.GridSize, 0.75).PlanFromNoise(f["input.noise"]);
        TestUtil.AssertClose(f["out.mae_mask"], plan.MaskedIndicator(), tol: 0, what: "mask");

        var output = mae.Forward(f["input.x"], plan);
        output.Loss.backward();

        TestUtil.AssertClose(f["out.mae_loss"], output.Loss, what: "loss");
        TestUtil.AssertClose(AmtSharp.Models.Patches.Gather(f["out.mae_pred"], plan.Masked), output.Prediction, what: "prediction");
        TestUtil.AssertClose(AmtSharp.Models.Patches.Gather(f["out.mae_target"], plan.Masked), mae.Target(f["input.x"], plan), what: "target");
        AssertGradients(f, mae, MaeName);
    }

    [Fact]
    public void SimMimLossReconstructionAndGradientsMatchPyTorch()
    {
        var f = TestUtil.LoadFixture("parity_simmim.pt");
        using var model = new SimMimModel(new SimMimConfig(Tiny, MaskUnitSize: 8));
        Load(model, f, SimMimName);
        using var codes = f["input.mask"].reshape(2, 16).to(ScalarType.Int64);
        using var plan = MaskPlan.FromCodes(codes);

        var output = model.Forward(f["input.x"], plan);
        output.Loss.backward();

        TestUtil.AssertClose(f["out.simmim_loss"], output.Loss, what: "loss");
        using (no_grad())
        {
            var latent = model.Encode(f["input.x"], plan, plan.Kept());
            TestUtil.AssertClose(f["out.simmim_rec"], model.ReconstructImage(latent), what: "reconstruction");
        }
        AssertGradients(f, model, SimMimName);
    }

    private static string MaeName(string key) => EncoderRoots.Any(key.StartsWith) ? "encoder." + key : key;

    private static string SimMimName(string key) => key is "mask_token" || key.StartsWith("decoder.") ? key : "encoder." + key;

    private static MaskedAutoencoder LoadMae(Dictionary<string, Tensor> f)
    {
        var mae = new MaskedAutoencoder(new MaeConfig(Tiny, DecoderWidth: 16, DecoderDepth: 1, DecoderHeads: 2));
        Load(mae, f, MaeName);
        return mae;
    }

    private static void Load(nn.Module model, Dictionary<string, Tensor> f, Func<string, string> rename)
    {
        var state = f.Where(kv => kv.Key.StartsWith("param.")).ToDictionary(kv => rename(kv.Key["param.".Length..]), kv => kv.Value);
        var (missing, unexpected) = model.load_state_dict(state, strict: false);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
    }

    private static void AssertGradients(Dictionary<string, Tensor> f, nn.Module model, Func<string, string> rename)
    {
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int compared = 0;
        foreach (var (key, expected) in f.Where(kv => kv.Key.StartsWith("grad.")))
        {
            var p = parameters[rename(key["grad.".Length..])];
            Assert.NotNull(p.grad);
            TestUtil.AssertClose(expected, p.grad!, what: "grad " + key);
            compared++;
        }
        Assert.Equal(parameters.Values.Count(p => p.requires_grad), compared);
    }
}
