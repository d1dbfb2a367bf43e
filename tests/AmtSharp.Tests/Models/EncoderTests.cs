using AmtSharp.Models;
using AmtSharp.Models.Mae;
using AmtSharp.Models.SimMim;
using AmtSharp.Models.Vit;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Models;

public sealed class EncoderTests
{
    [Fact]
    public void ForwardHookOnBlockFiresWhenEncoderRuns()
    {
        // Submodules are invoked through call(), so hooks a user registers on a block run.
        using var vit = new VisionTransformer(new VitConfig(16, 4, 3, 16, 2, 2));
        var block = (Block)vit.named_modules().Single(m => m.name == "blocks.1").module;
        int fired = 0;
        block.register_forward_hook((_, _, output) =>
        {
            fired++;
            return output;
        });
        using var images = randn(2, 3, 16, 16);
        using var tokens = vit.call(images);
        Assert.Equal(1, fired);
    }

    [Fact]
    public void StateDictUsesTimmNamesAndShapes()
    {
        using var vit = new VisionTransformer(VitConfig.Tiny(32, 4) with { Depth = 2 });
        var state = vit.state_dict();
        var expected = new Dictionary<string, long[]>
        {
            ["cls_token"] = [1, 1, 192],
            ["pos_embed"] = [1, 65, 192],
            ["patch_embed.proj.weight"] = [192, 3, 4, 4],
            ["patch_embed.proj.bias"] = [192],
            ["norm.weight"] = [192],
            ["norm.bias"] = [192],
        };
        foreach (int i in new[] { 0, 1 })
        {
            expected[$"blocks.{i}.norm1.weight"] = [192];
            expected[$"blocks.{i}.norm1.bias"] = [192];
            expected[$"blocks.{i}.attn.qkv.weight"] = [576, 192];
            expected[$"blocks.{i}.attn.qkv.bias"] = [576];
            expected[$"blocks.{i}.attn.proj.weight"] = [192, 192];
            expected[$"blocks.{i}.attn.proj.bias"] = [192];
            expected[$"blocks.{i}.norm2.weight"] = [192];
            expected[$"blocks.{i}.norm2.bias"] = [192];
            expected[$"blocks.{i}.mlp.fc1.weight"] = [768, 192];
            expected[$"blocks.{i}.mlp.fc1.bias"] = [768];
            expected[$"blocks.{i}.mlp.fc2.weight"] = [192, 768];
            expected[$"blocks.{i}.mlp.fc2.bias"] = [192];
        }
        Assert.Equal(expected.Keys.Order(), state.Keys.Order());
        foreach (var (key, shape) in expected)
        {
            Assert.Equal(shape, state[key].shape);
        }
        Assert.False(vit.named_parameters().Single(p => p.name == "pos_embed").parameter.requires_grad);
    }

    [Fact]
    public void PresetsHaveThePapersSizes()
    {
        Assert.Equal((192, 12, 3), (VitConfig.Tiny().Width, VitConfig.Tiny().Depth, VitConfig.Tiny().Heads));
        Assert.Equal((384, 12, 6), (VitConfig.Small().Width, VitConfig.Small().Depth, VitConfig.Small().Heads));
        Assert.Equal((768, 12, 12), (VitConfig.Base().Width, VitConfig.Base().Depth, VitConfig.Base().Heads));
        using var vitB = new VisionTransformer(VitConfig.Base());
        long total = vitB.parameters().Sum(p => p.numel());
        Assert.Equal(85_798_656, total);      // ViT-B/16 without head, pos_embed included: 85.8 M (docs/method.md#encoder)
        var mae = new MaeConfig(VitConfig.Base());
        Assert.Equal((512, 8, 16), (mae.DecoderWidth, mae.DecoderDepth, mae.DecoderHeads));
    }

    [Fact]
    public void SinCosEmbeddingMatchesTheSpecExample()
    {
        // D = 8, G = 2: patch (row 0, col 1) is [sin 1, sin 0.01, cos 1, cos 0.01, 0, 0, 1, 1] (docs/method.md#encoder).
        using var pos = SinCosPositionEmbedding.Create(2, 8);
        var slot = pos[0, 2].data<float>().ToArray();
        double[] expected = [Math.Sin(1), Math.Sin(0.01), Math.Cos(1), Math.Cos(0.01), 0, 0, 1, 1];
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(expected[i], slot[i], 6);
        }
        Assert.All(pos[0, 0].data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ExplicitAndFusedAttentionAgreeAndAttentionRowsSumToOne()
    {
        using var vit = new VisionTransformer(new VitConfig(32, 8, 3, 48, 2, 3));
        vit.InitWeights(WeightInit.Generator(7));
        using var x = randn(2, 3, 32, 32);
        using var fused = vit.forward(x);
        var (tokens, attention) = vit.ForwardWithLastAttention(x);
        TestUtil.AssertClose(fused, tokens, 1e-5, "encoder");
        Assert.Equal(new long[] { 2, 3, 17, 17 }, attention.shape);
        TestUtil.AssertClose(ones(2, 3, 17), attention.sum(-1), 1e-5, "softmax rows");
    }

    [Fact]
    public void InitialisationIsSeededAndFollowsMae()
    {
        var config = new VitConfig(32, 4, 3, 64, 2, 4);
        using var a = new VisionTransformer(config);
        using var b = new VisionTransformer(config);
        using var c = new VisionTransformer(config);
        a.InitWeights(WeightInit.Generator(1));
        b.InitWeights(WeightInit.Generator(1));
        c.InitWeights(WeightInit.Generator(2));
        var sa = a.state_dict();
        var sb = b.state_dict();
        var sc = c.state_dict();
        Assert.True(sa["blocks.0.attn.qkv.weight"].equal(sb["blocks.0.attn.qkv.weight"]).all().item<bool>());
        Assert.False(sa["blocks.0.attn.qkv.weight"].equal(sc["blocks.0.attn.qkv.weight"]).all().item<bool>());
        double bound = Math.Sqrt(6.0 / (64 + 192));
        Assert.True(sa["blocks.0.attn.qkv.weight"].abs().max().item<float>() <= bound);
        Assert.Equal(0f, sa["blocks.0.attn.qkv.bias"].abs().max().item<float>());
        Assert.Equal(1f, sa["norm.weight"].mean().item<float>());
        double std = sa["cls_token"].std().item<float>();
        Assert.InRange(std, 0.01, 0.03);
    }

    [Fact]
    public void LayerNormUsesEpsOneEMinusSix()
    {
        // A constant row has zero variance: LayerNorm gives (x − μ)/√eps · w + b = 0 either way, so probe a
        // tiny-variance row where eps 1e-5 and 1e-6 differ clearly.
        using var block = new Block(4, 1, 8);
        var norm = (TorchSharp.Modules.LayerNorm)block.named_children().Single(c => c.name == "norm1").module;
        using var x = tensor(new float[] { 0, 0.002f, 0, 0.002f }).reshape(1, 1, 4);
        float y = norm.forward(x)[0, 0, 1].item<float>();
        Assert.Equal(0.001 / Math.Sqrt(1e-6 + 1e-6), y, 3);
    }

    [Fact]
    public void PatchifyRoundTripsInBothLayouts()
    {
        using var x = randn(2, 3, 16, 16);
        using var p = Patches.Patchify(x, 4);
        Assert.Equal(new long[] { 2, 16, 48 }, p.shape);
        // Element (i·p + j)·3 + ch of patch (r, c) is pixel (r·p + i, c·p + j) of channel ch.
        Assert.Equal(x[1, 2, 4 * 1 + 3, 4 * 2 + 1].item<float>(), p[1, 1 * 4 + 2, (3 * 4 + 1) * 3 + 2].item<float>());
        TestUtil.AssertClose(x, Patches.Unpatchify(p, 4), 0, "mae layout");
        using var q = Patches.PatchifyChannelsFirst(x, 4);
        Assert.Equal(x[1, 2, 4 * 1 + 3, 4 * 2 + 1].item<float>(), q[1, 1 * 4 + 2, 2 * 16 + 3 * 4 + 1].item<float>());
        TestUtil.AssertClose(x, Patches.UnpatchifyChannelsFirst(q, 4), 0, "simmim layout");
    }

    [Fact]
    public void ImpossibleShapesAreRefusedNamingTheSetting()
    {
        Assert.StartsWith("PatchSize: ", Assert.Throws<ConfigException>(() => new VitConfig(30, 4).Validate()).Message);
        Assert.StartsWith("Heads: ", Assert.Throws<ConfigException>(() => new VitConfig(32, 4, 3, 64, 2, 5).Validate()).Message);
        Assert.StartsWith("Width: ", Assert.Throws<ConfigException>(() => new VitConfig(32, 4, 3, 66, 2, 3).Validate()).Message);
        Assert.StartsWith("MaskUnit: ", Assert.Throws<ConfigException>(
            () => new SimMimConfig(new VitConfig(32, 4, 3, 64, 1, 4), MaskUnitSize: 12).Validate()).Message);
        using var vit = new VisionTransformer(new VitConfig(32, 4, 3, 64, 1, 4));
        Assert.Throws<ArgumentException>(() => vit.forward(zeros(1, 3, 16, 16)));
    }
}
