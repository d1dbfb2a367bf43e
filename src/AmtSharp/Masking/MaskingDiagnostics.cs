using static TorchSharp.torch;

namespace AmtSharp.Masking;

/// <summary>
/// Where the high-weight cells went in a batch, to check that AMT does what it claims (high → masked, mid →
/// thrown, low → visible, docs/method.md#weighted-draw). Plain numbers, for JSON logs; a mean over an empty set (no thrown cells) is null.
/// </summary>
/// <param name="TopQuartileMasked">Share of each sample's top-quartile-weight cells (⌈cells/4⌉ highest) that were masked.</param>
/// <param name="TopQuartileThrown">Share of them that were thrown.</param>
/// <param name="TopQuartileVisible">Share of them that stayed visible.</param>
/// <param name="MeanWeightMasked">Mean weight of masked cells.</param>
/// <param name="MeanWeightThrown">Mean weight of thrown cells (null without throwing).</param>
/// <param name="MeanWeightVisible">Mean weight of visible cells.</param>
public sealed record MaskingDiagnostics(
    double TopQuartileMasked,
    double TopQuartileThrown,
    double TopQuartileVisible,
    double? MeanWeightMasked,
    double? MeanWeightThrown,
    double? MeanWeightVisible)
{
    /// <summary>From weights [B, cells] and a plan drawn on <paramref name="grid"/> (the plan is in patches).</summary>
    public static MaskingDiagnostics Measure(Tensor cellWeights, MaskPlan plan, MaskGrid grid)
    {
        using var scope = NewDisposeScope();
        // Every patch of a cell shares the cell's code, so the first patch of each cell speaks for it.
        var firstPatch = grid.PatchesOfCells()[.., 0].unsqueeze(0).expand(plan.BatchSize, -1).to(plan.Masked.device);
        return Measure(cellWeights, plan.Codes().gather(1, firstPatch));
    }

    /// <summary>From weights [B, cells] and codes [B, cells] (1 masked, −1 thrown, 0 visible).</summary>
    public static MaskingDiagnostics Measure(Tensor cellWeights, Tensor cellCodes)
    {
        if (cellWeights.dim() != 2 || !cellWeights.shape.SequenceEqual(cellCodes.shape))
        {
            throw new ArgumentException(
                $"weights [{string.Join(", ", cellWeights.shape)}] and codes [{string.Join(", ", cellCodes.shape)}] must both be [B, cells]");
        }
        using var scope = NewDisposeScope();
        var w = cellWeights.detach().to(ScalarType.Float64).cpu();
        var codes = cellCodes.to(ScalarType.Int64).cpu();
        long cells = w.shape[1];
        long top = (cells + 3) / 4;
        // Stable sort: ties (e.g. uniform weights) resolve by cell index, deterministically.
        var (_, rank) = w.sort(1, descending: true, stable: true);
        var topCodes = codes.gather(1, rank[.., ..(int)top]);
        double topCount = topCodes.numel();
        double Share(int code) => topCodes.eq(code).sum().item<long>() / topCount;
        double? Mean(int code)
        {
            var hits = codes.eq(code);
            long n = hits.sum().item<long>();
            return n == 0 ? null : w.masked_select(hits).mean().item<double>();
        }
        return new MaskingDiagnostics(
            Share(MaskPlan.MaskedCode), Share(MaskPlan.ThrownCode), Share(0),
            Mean(MaskPlan.MaskedCode), Mean(MaskPlan.ThrownCode), Mean(0));
    }
}
