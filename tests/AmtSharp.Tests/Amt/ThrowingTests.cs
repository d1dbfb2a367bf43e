using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Models;
using AmtSharp.Models.Mae;
using AmtSharp.Models.SimMim;
using AmtSharp.Models.Vit;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Amt;

/// <summary>Thrown patches (docs/method.md#throwing) are absent everywhere: no token, no target, no gradient.</summary>
public sealed class ThrowingTests
{
    private static readonly VitConfig Tiny = new(ImageSize: 32, PatchSize: 4, InChannels: 3, Width: 32, Depth: 1, Heads: 2);

    [Fact]
    public void MaeWithAmtPlanHasShortSequencesAndIgnoresThrownPixels()
    {
        using var mae = new MaskedAutoencoder(new MaeConfig(Tiny, DecoderWidth: 32, DecoderDepth: 1, DecoderHeads: 2));
        mae.InitWeights(WeightInit.Generator(1));
        var grid = new MaskGrid(Tiny.GridSize);
        using var w = AmtTestData.Gaussian(4, 8, 1.5);
        using var plan = AmtConfig.ForMae().Strategy(grid).Plan(new MaskRequest(4, AmtTestData.Gen(2), w));
        Assert.Equal((28, 26, 10), (plan.NumMasked, plan.NumThrown, plan.NumVisible));

        using var images = randn([4, 3, 32, 32], generator: AmtTestData.Gen(3)).requires_grad_(true);
        using (no_grad())
        {
            using var latent = mae.Encode(images, plan);
            Assert.Equal(new long[] { 4, 1 + 10, 32 }, latent.shape);           // encoder: 1 + n_v
        }
        var output = mae.Forward(images, plan);
        Assert.Equal(new long[] { 4, 28, 48 }, output.Prediction.shape);       // decoder predicts n_m patches
        var tokens = ComputeAccounting.ForMae(mae.Config).Tokens(new MaskCounts(28, 26, 10));
        Assert.Equal(new TokenCounts(11, 1 + 28 + 10), tokens);
        output.Loss.backward();

        AssertThrownGradientIsZero(images, plan, Patches.Patchify);
        AssertLossIgnoresThrownPixels(x => mae.Forward(x, plan).Loss, images, plan, output.Loss);
    }

    [Fact]
    public void SimMimWithAmtPlanDropsThrownTokensAndIgnoresThrownPixels()
    {
        var config = new SimMimConfig(Tiny);                  // 8 px units: 4×4 units of 2×2 patches
        using var model = new SimMimModel(config);
        model.InitWeights(WeightInit.Generator(1));
        var grid = config.Grid;
        using var w = AmtTestData.Gaussian(4, grid.UnitGrid, 1.0);
        using var plan = AmtConfig.ForSimMim().Strategy(grid).Plan(new MaskRequest(4, AmtTestData.Gen(4), w));
        Assert.Equal((32, 20, 12), (plan.NumMasked, plan.NumThrown, plan.NumVisible));   // 8 / 5 / 3 units

        using var images = randn([4, 3, 32, 32], generator: AmtTestData.Gen(5)).requires_grad_(true);
        using (no_grad())
        {
            using var kept = plan.Kept();
            using var latent = model.Encode(images, plan, kept);
            Assert.Equal(new long[] { 4, 64 - 20, 32 }, latent.shape);         // encoder: L − thrown (+ [CLS], dropped)
        }
        var output = model.Forward(images, plan);
        Assert.Equal(new long[] { 4, 32, 48 }, output.Prediction.shape);
        output.Loss.backward();

        AssertThrownGradientIsZero(images, plan, Patches.PatchifyChannelsFirst);
        AssertLossIgnoresThrownPixels(x => model.Forward(x, plan).Loss, images, plan, output.Loss);
    }

    // Every pixel of every thrown patch has exactly zero gradient; every masked and visible patch has some.
    private static void AssertThrownGradientIsZero(Tensor images, MaskPlan plan, Func<Tensor, int, Tensor> patchify)
    {
        using var scope = NewDisposeScope();
        Assert.NotNull(images.grad);
        var grad = patchify(images.grad!, 4);
        Assert.Equal(0.0, Patches.Gather(grad, plan.Thrown).abs().max().item<float>());
        Assert.True(Patches.Gather(grad, plan.Masked).abs().sum(-1).gt(0).all().item<bool>(), "every masked patch gets a gradient (target)");
        Assert.True(Patches.Gather(grad, plan.Visible).abs().sum(-1).gt(0).all().item<bool>(), "every visible patch gets a gradient (encoder)");
    }

    // Replacing thrown pixels by noise leaves the loss bit-identical; replacing visible pixels changes it.
    private static void AssertLossIgnoresThrownPixels(Func<Tensor, Tensor> loss, Tensor images, MaskPlan plan, Tensor original)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = images.detach();
        var noise = randn(x.shape, generator: AmtTestData.Gen(99)) * 10;
        var thrown = Replace(x, noise, plan.ThrownIndicator());
        Assert.True(thrown.ne(x).any().item<bool>());
        Assert.Equal(original.item<float>(), loss(thrown).item<float>());
        var visible = Replace(x, noise, 1 - plan.MaskedIndicator() - plan.ThrownIndicator());
        Assert.NotEqual(original.item<float>(), loss(visible).item<float>());
    }

    // Pixels of the patches where indicator [B, L] is 1 come from noise.
    private static Tensor Replace(Tensor images, Tensor noise, Tensor indicator)
    {
        var m = indicator.unsqueeze(-1);
        var p = Patches.Patchify(images, 4) * (1 - m) + Patches.Patchify(noise, 4) * m;
        return Patches.Unpatchify(p, 4, 3);
    }
}
