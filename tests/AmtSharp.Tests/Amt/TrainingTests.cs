using System.Diagnostics;
using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Models;
using AmtSharp.Models.Mae;
using AmtSharp.Models.SimMim;
using AmtSharp.Models.Vit;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AmtSharp.Tests.Amt;

/// <summary>Short MAE + AMT and SimMIM + AMT runs: AdamW on a fixed batch with a peaked prior; the loss must fall.</summary>
public sealed class TrainingTests(ITestOutputHelper output)
{
    private static readonly VitConfig Tiny32 = new(ImageSize: 32, PatchSize: 4, InChannels: 3, Width: 32, Depth: 1, Heads: 2);
    private static readonly VitConfig Narrow224 = new(ImageSize: 224, PatchSize: 16, InChannels: 3, Width: 32, Depth: 1, Heads: 2);

    [Fact]
    public void MaeWithAmtTrains()
    {
        using var mae = new MaskedAutoencoder(new MaeConfig(Tiny32, DecoderWidth: 32, DecoderDepth: 1, DecoderHeads: 2));
        mae.InitWeights(WeightInit.Generator(1));
        var losses = Train(mae, AmtConfig.ForMae().Strategy(new MaskGrid(8)), 32, steps: 40, lr: 3e-3);
        AssertDecreasing(losses, "MAE + AMT");
    }

    [Fact]
    public void SimMimWithAmtTrains()
    {
        var config = new SimMimConfig(Tiny32);
        using var model = new SimMimModel(config);
        model.InitWeights(WeightInit.Generator(1));
        var losses = Train(model, AmtConfig.ForSimMim().Strategy(config.Grid), 32, steps: 40, lr: 3e-3);
        AssertDecreasing(losses, "SimMIM + AMT");
    }

    [Fact]
    public void BothMethodsRunAtVitB16Geometry()
    {
        var clock = Stopwatch.StartNew();
        using var mae = new MaskedAutoencoder(new MaeConfig(Narrow224, DecoderWidth: 32, DecoderDepth: 1, DecoderHeads: 2));
        mae.InitWeights(WeightInit.Generator(1));
        var maeLosses = Train(mae, AmtConfig.ForMae().Strategy(new MaskGrid(14)), 224, steps: 2, lr: 1e-3, batch: 2);

        var simConfig = new SimMimConfig(Narrow224);
        using var sim = new SimMimModel(simConfig);
        sim.InitWeights(WeightInit.Generator(1));
        Assert.Equal(49, simConfig.Grid.Cells);
        var simLosses = Train(sim, AmtConfig.ForSimMim().Strategy(simConfig.Grid), 224, steps: 2, lr: 1e-3, batch: 2);

        output.WriteLine($"224 px: MAE+AMT {string.Join(", ", maeLosses)}; SimMIM+AMT {string.Join(", ", simLosses)}; {clock.ElapsedMilliseconds} ms");
        Assert.All(maeLosses.Concat(simLosses), l => Assert.True(float.IsFinite(l)));
    }

    // A fixed batch of smooth images (bilinear upsampling of a 4×4 random field), a fresh seeded AMT plan per step.
    private List<float> Train<TModel>(TModel model, AmtMasking strategy, int size, int steps, double lr, int batch = 8)
        where TModel : nn.Module, IMaskedImageModel
    {
        using var coarse = randn([batch, 3, 4, 4], generator: AmtTestData.Gen(41));
        using var images = F.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
        using var weights = AmtTestData.Gaussian(batch, strategy.Grid.UnitGrid, strategy.Grid.UnitGrid / 4.0);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = optim.AdamW(parameters, lr: lr, beta1: 0.9, beta2: 0.95, weight_decay: 0.05);
        var losses = new List<float>();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            using var plan = strategy.Plan(new MaskRequest(batch, AmtTestData.Gen(43, step), weights));
            optimizer.zero_grad();
            var loss = model.Forward(images, plan).Loss;
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return losses;
    }

    private void AssertDecreasing(List<float> losses, string what)
    {
        output.WriteLine($"{what}: {string.Join(", ", losses.Select(l => l.ToString("F4")))}");
        Assert.All(losses, l => Assert.True(float.IsFinite(l), $"{what}: non-finite loss"));
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.True(last < 0.8 * first, $"{what}: loss {first:F4} → {last:F4} did not fall by 20 %");
    }
}
