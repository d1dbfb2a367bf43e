using static TorchSharp.torch;

namespace AmtSharp.Masking;

/// <summary>
/// Uniform random masking with no throwing: MAE's per-sample shuffle (argsort of noise) on patches, or SimMIM's
/// draw on mask units. It is AMT's draw with equal weights and t = 0.
/// </summary>
public sealed class RandomMasking : IMaskingStrategy
{
    public RandomMasking(MaskGrid grid, MaskCounts counts)
    {
        if (counts.Total != grid.Cells)
        {
            throw new ArgumentException($"counts {counts} do not cover the {grid.Cells} cells");
        }
        Grid = grid;
        Counts = counts;
    }

    public MaskGrid Grid { get; }

    public MaskCounts Counts { get; }

    public bool UsesWeights => false;

    /// <summary>MAE: keeps ⌊L(1 − r)⌋ patches (MAE's count convention), masks the rest.</summary>
    public static RandomMasking Mae(int patchGrid, double maskRatio, string setting = "MaskRatio")
    {
        var grid = new MaskGrid(patchGrid);
        var checkedCounts = MaskCounts.From(maskRatio, 0, grid.Cells, Rounding.Floor, setting);
        int keep = (int)Math.Floor(grid.Cells * (1 - maskRatio) + 1e-9);
        if (keep < 1)
        {
            // ⌊L(1 − r)⌋ can be 0 even when ⌊rL⌋ < L (e.g. L = 64, r = 0.99): the encoder would get no patch.
            throw new ConfigException(setting, $"{maskRatio} leaves no visible patch out of {grid.Cells}");
        }
        return new RandomMasking(grid, checkedCounts with { Masked = grid.Cells - keep, Visible = keep });
    }

    /// <summary>SimMIM: masks ⌈r·U⌉ of the U mask units.</summary>
    public static RandomMasking SimMim(MaskGrid grid, double maskRatio, string setting = "MaskRatio") =>
        new(grid, MaskCounts.From(maskRatio, 0, grid.Cells, Rounding.Ceil, setting));

    public MaskPlan Plan(MaskRequest request)
    {
        using var order = DrawOrder.Uniform(request.BatchSize, Grid.Cells, request.Generator);
        return DrawOrder.ToPlan(order, Counts, Grid);
    }

    /// <summary>MAE's masking from a given noise tensor [B, L]: the smallest noise values stay visible.</summary>
    public MaskPlan PlanFromNoise(Tensor noise)
    {
        using var order = noise.argsort(1, descending: true);
        return DrawOrder.ToPlan(order, Counts, Grid);
    }
}
