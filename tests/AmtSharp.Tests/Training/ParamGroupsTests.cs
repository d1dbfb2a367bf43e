using AmtSharp.Training.Optim;
using Xunit;

namespace AmtSharp.Tests.Training;

public sealed class ParamGroupsTests
{
    [Fact]
    public void DecayNoDecaySkipsFrozenAndPutsTokensBiasesAndNormsInNoDecay()
    {
        using var m = new TinyVit(depth: 2);
        var groups = ParamGroups.DecayNoDecay(m, 0.05);

        Assert.Equal(2, groups.Count);
        var decay = groups.Single(g => g.Name == "decay");
        var noDecay = groups.Single(g => g.Name == "no_decay");
        Assert.Equal(0.05, decay.WeightDecay);
        Assert.Equal(0.0, noDecay.WeightDecay);
        Assert.Equal(
            new[] { "patch_embed.proj.weight", "blocks.0.fc.weight", "blocks.1.fc.weight", "head.weight" }.Order(),
            decay.ParameterNames.Order());
        Assert.Contains("cls_token", noDecay.ParameterNames);
        Assert.Contains("blocks.0.norm1.weight", noDecay.ParameterNames);
        Assert.Contains("head.bias", noDecay.ParameterNames);
        Assert.DoesNotContain("pos_embed", noDecay.ParameterNames.Concat(decay.ParameterNames)); // frozen
        Assert.Equal(decay.Parameters.Count, decay.ParameterNames.Count);
    }

    [Fact]
    public void ExtraNoDecaySetIsConfigurable()
    {
        using var m = new TinyVit();
        var groups = ParamGroups.DecayNoDecay(m, 0.05, extraNoDecay: Array.Empty<string>());
        Assert.Contains("cls_token", groups.Single(g => g.Name == "decay").ParameterNames); // MAE's own rule
    }

    [Theory]
    [InlineData("cls_token", 0)]
    [InlineData("pos_embed", 0)]
    [InlineData("patch_embed.proj.weight", 0)]
    [InlineData("blocks.0.fc.weight", 1)]
    [InlineData("blocks.11.attn.qkv.bias", 12)]
    [InlineData("encoder.blocks.3.norm1.weight", 4)]
    [InlineData("norm.weight", 13)]
    [InlineData("fc_norm.bias", 13)]
    [InlineData("head.weight", 13)]
    public void LayerIdFollowsTimm(string name, int id) => Assert.Equal(id, ParamGroups.LayerId(name, depth: 12));

    [Fact]
    public void LayerDecayMakesOneGroupPerIdAndDecayKindWithPowerScales()
    {
        using var m = new TinyVit(depth: 2);
        var groups = ParamGroups.LayerDecay(m, depth: 2, layerDecay: 0.5, weightDecay: 0.05);

        // id 0: patch_embed.proj.weight (decay), cls_token + patch bias (no decay); ids 1, 2: blocks; id 3: norm + head.
        Assert.Equal(
            new[] { "layer0.decay", "layer0.no_decay", "layer1.decay", "layer1.no_decay", "layer2.decay", "layer2.no_decay", "layer3.decay", "layer3.no_decay" },
            groups.Select(g => g.Name));
        foreach (var g in groups)
        {
            Assert.Equal(Math.Pow(0.5, 3 - g.LayerId), g.LrScale, 12);
            Assert.Equal(g.Name.EndsWith("no_decay", StringComparison.Ordinal) ? 0.0 : 0.05, g.WeightDecay);
        }
        Assert.Equal(new[] { "cls_token", "patch_embed.proj.bias" }, groups[1].ParameterNames.Order());
        Assert.Equal(new[] { "head.weight" }, groups[6].ParameterNames);
        Assert.Equal(1.0, groups[7].LrScale);
        Assert.Equal(ParamGroups.Scales(groups), groups.Select(g => g.LrScale));
    }

    [Fact]
    public void AdamWUsesOptionsFormSoGroupLrIsNotTheConstructorDefault()
    {
        using var m = new TinyVit(depth: 2);
        var groups = ParamGroups.LayerDecay(m, 2, 0.5, 0.05);
        using var opt = AdamWFactory.Create(groups, new AdamWConfig(Lr: 0.2));
        var pgs = opt.ParamGroups.Cast<TorchSharp.Modules.AdamW.ParamGroup>().ToList();
        Assert.Equal(groups.Count, pgs.Count);
        for (int i = 0; i < pgs.Count; i++)
        {
            Assert.Equal(0.2 * groups[i].LrScale, pgs[i].LearningRate, 12);
            Assert.Equal(groups[i].WeightDecay, pgs[i].Options.weight_decay);
            Assert.Equal((0.9, 0.95), pgs[i].Betas);
        }
    }
}
