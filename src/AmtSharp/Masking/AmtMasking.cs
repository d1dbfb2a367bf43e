using static TorchSharp.torch;

namespace AmtSharp.Masking;

/// <summary>
/// AMT's draw (docs/method.md#weighted-draw): a full order over the cells by weighted sampling without replacement of the
/// per-crop prior (+ ε), first n_m masked, next n_t thrown, the rest visible. A fresh draw every step; the
/// variant chooses how weights and order become the three sets (docs/method.md#variants).
/// </summary>
public sealed class AmtMasking : IMaskingStrategy
{
    public AmtMasking(MaskGrid grid, MaskCounts counts, AmtVariant variant = AmtVariant.Attention, double epsilon = 1e-6)
    {
        if (counts.Total != grid.Cells)
        {
            throw new ArgumentException($"counts {counts} do not cover the {grid.Cells} cells");
        }
        Grid = grid;
        Counts = counts;
        Variant = variant;
        Epsilon = epsilon;
    }

    public MaskGrid Grid { get; }

    public MaskCounts Counts { get; }

    public AmtVariant Variant { get; }

    public double Epsilon { get; }

    public bool UsesWeights => Variant != AmtVariant.RandomWithThrowing;   // kept equal to Amt.AmtConfig.UsesPrior

    public MaskPlan Plan(MaskRequest request)
    {
        using var order = Order(request);
        return DrawOrder.ToPlan(order, Counts, Grid);
    }

    /// <summary>
    /// The draw order [B, cells] after the variant is applied: positions [0, n_m) are masked, [n_m, n_m + n_t)
    /// thrown, the rest visible.
    /// </summary>
    public Tensor Order(MaskRequest request)
    {
        using var scope = NewDisposeScope();
        var g = request.Generator;
        Tensor order = Variant switch
        {
            AmtVariant.Attention => DrawOrder.Weighted(CheckedWeights(request), g, Epsilon),
            AmtVariant.Inverted => DrawOrder.Weighted((1 - CheckedWeights(request)).clamp_min(0), g, Epsilon),
            AmtVariant.RandomWithThrowing => DrawOrder.Uniform(request.BatchSize, Grid.Cells, g),
            AmtVariant.ThrowHighest => ThrownFirst(DrawOrder.Weighted(CheckedWeights(request), g, Epsilon)),
            AmtVariant.TopK => ByWeight(CheckedWeights(request), g),
            _ => throw new ArgumentOutOfRangeException(nameof(request), $"unknown AMT variant {Variant}"),
        };
        return order.MoveToOuterDisposeScope();
    }

    // The first n_t drawn (the highest) go to the thrown slot, the next n_m to the masked slot.
    private Tensor ThrownFirst(Tensor order)
    {
        int m = Counts.Masked, t = Counts.Thrown;
        return cat([order[.., t..(t + m)], order[.., ..t], order[.., (t + m)..]], 1);
    }

    // Descending weight; a random permutation first and a stable sort after it break ties at random but reproducibly.
    private static Tensor ByWeight(Tensor weights, Generator generator)
    {
        var shuffle = rand(weights.shape, generator: generator).argsort(1).to(weights.device);
        var (_, rank) = weights.gather(1, shuffle).sort(1, descending: true, stable: true);
        return shuffle.gather(1, rank);
    }

    private Tensor CheckedWeights(MaskRequest request)
    {
        var w = request.Weights ?? throw new ArgumentException(
            $"AMT variant {Variant} needs MaskRequest.Weights [B, {Grid.Cells}] (the prior mapped onto each crop's cell grid); got none",
            nameof(request));
        if (w.dim() != 2 || w.shape[0] != request.BatchSize || w.shape[1] != Grid.Cells)
        {
            throw new ArgumentException(
                $"AMT weights must be [{request.BatchSize}, {Grid.Cells}] (batch, cells), got [{string.Join(", ", w.shape)}]",
                nameof(request));
        }
        // multinomial-equivalent sampling needs finite, non-negative weights (a NaN would silently corrupt the order).
        if (!w.isfinite().all().item<bool>() || w.lt(0).any().item<bool>())
        {
            throw new ArgumentException("AMT weights must be finite and non-negative", nameof(request));
        }
        return w.to(ScalarType.Float32);
    }
}
