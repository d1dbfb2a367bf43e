using AmtSharp.Amt;
using AmtSharp.Models.Mae;
using AmtSharp.Models.Vit;
using Xunit;
using Xunit.Abstractions;

namespace AmtSharp.Tests.Amt;

public sealed class ComputeAccountingTests(ITestOutputHelper output)
{
    private static readonly VitConfig VitB16 = VitConfig.Base();
    private static readonly MaeConfig Mae512x8 = new(VitB16);

    [Fact]
    public void TokenTableForVitB16()
    {
        var rows = ComputeAccounting.Table(VitB16, Mae512x8);
        foreach (var r in rows)
        {
            output.WriteLine($"{r.Setting,-45} {r.Patches,-40} enc {r.Tokens.Encoder,3} dec {r.Tokens.Decoder,3} " +
                             $"fwd {r.ForwardFlops / 1e9:F2} GFLOP  step {r.TrainStepFlops / 1e9:F2} GFLOP  ×{r.RelativeToRandom:F4}");
        }
        Assert.Equal(new TokenCounts(50, 197), rows[0].Tokens);
        Assert.Equal(new TokenCounts(50, 197), rows[1].Tokens);
        Assert.Equal(new TokenCounts(31, 119), rows[2].Tokens);
        Assert.Equal(new TokenCounts(197, 196), rows[3].Tokens);
        Assert.Equal(new TokenCounts(197, 196), rows[4].Tokens);
        Assert.Equal(new TokenCounts(145, 144), rows[5].Tokens);
        Assert.Equal((88, 52, 56), (rows[5].Patches.Masked, rows[5].Patches.Thrown, rows[5].Patches.Visible));
    }

    [Fact]
    public void MaeAmtStepCostsAboutSixTenthsOfMae()
    {
        var rows = ComputeAccounting.Table(VitB16, Mae512x8);
        double ratio = rows[2].TrainStepFlops / rows[0].TrainStepFlops;
        double simRatio = rows[5].TrainStepFlops / rows[3].TrainStepFlops;
        output.WriteLine($"MAE+AMT / MAE per step = {ratio:F4}; SimMIM+AMT / SimMIM per step = {simRatio:F4}");
        Assert.InRange(ratio, 0.58, 0.63);
        Assert.InRange(simRatio, 0.68, 0.78);
    }

    [Fact]
    public void BlockFlopsFollowTheFormula()
    {
        // MLP ratio 4: 2·(12·D²·N + 2·N²·D).
        const int d = 768, n = 197;
        Assert.Equal(2.0 * (12.0 * d * d * n + 2.0 * n * n * d), ComputeAccounting.BlockFlops(d, 4 * d, n));
        var acc = ComputeAccounting.ForMae(Mae512x8);
        Assert.Equal(3 * acc.ForwardFlops(new(88, 78, 30)), acc.TrainStepFlops(new(88, 78, 30)));
        Assert.Throws<ArgumentException>(() => acc.Tokens(new(22, 13, 14)));
    }

    [Fact]
    public void RunCostIncludesWarmupAndRefreshes()
    {
        var mae = ComputeAccounting.ForMae(Mae512x8);
        var schedule = new AmtSchedule(400, AmtConfig.ForMae(), new AmtSharp.Masking.MaskGrid(14));
        double baseline = 400 * mae.TrainStepFlops(new(147, 0, 49));
        double run = mae.RunFlopsPerImage(schedule);
        double refresh = mae.PriorRefreshFlops();
        output.WriteLine($"prior refresh forward {refresh / 1e9:F2} GFLOP/image; MAE+AMT 400-epoch run / MAE = {run / baseline:F4}");
        Assert.InRange(run / baseline, 0.6, 0.7);
        Assert.True(refresh < ComputeAccounting.ForSimMim(VitB16).ForwardFlops(new(120, 0, 76)));
    }
}
