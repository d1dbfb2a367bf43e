using static TorchSharp.torch;

namespace AmtSharp.Masking;

/// <summary>
/// Turns a per-sample draw order over cells into a plan: the first n_m drawn are masked, the next n_t thrown,
/// the rest visible. Every strategy ends here, so the split is written once.
/// </summary>
public static class DrawOrder
{
    /// <summary><paramref name="order"/>: [B, cells] int64, each row a permutation, first drawn first.</summary>
    public static MaskPlan ToPlan(Tensor order, MaskCounts counts, MaskGrid grid)
    {
        if (order.shape[1] != grid.Cells || counts.Total != grid.Cells)
        {
            throw new ArgumentException($"draw over {order.shape[1]} cells does not match the grid's {grid.Cells} cells");
        }
        using var scope = NewDisposeScope();
        int m = counts.Masked, t = counts.Thrown;
        var masked = ToPatches(order[.., ..m], grid);
        var thrown = ToPatches(order[.., m..(m + t)], grid);
        var visible = ToPatches(order[.., (m + t)..], grid);
        var plan = new MaskPlan(masked.MoveToOuterDisposeScope(), thrown.MoveToOuterDisposeScope(),
            visible.MoveToOuterDisposeScope(), grid.Patches);
        return plan;
    }

    /// <summary>Uniformly random orders: argsort of uniform noise (MAE's draw).</summary>
    public static Tensor Uniform(long batch, int cells, Generator generator)
    {
        using var noise = rand(batch, cells, generator: generator);
        return noise.argsort(1, descending: true);
    }

    /// <summary>
    /// Weighted sampling without replacement of every cell (Gumbel-top-k, same distribution as
    /// multinomial without replacement): keys log w − log(−log U), sorted descending. ε keeps zero weights random.
    /// </summary>
    public static Tensor Weighted(Tensor weights, Generator generator, double epsilon = 1e-6)
    {
        using var scope = NewDisposeScope();
        var u = rand(weights.shape, generator: generator, device: weights.device).clamp_(1e-20, 1.0);
        var keys = (weights.to(ScalarType.Float32) + epsilon).log() - (-u.log()).log();
        return keys.argsort(1, descending: true).MoveToOuterDisposeScope();
    }

    // Cell indices [B, n] → sorted patch indices [B, n·u²].
    private static Tensor ToPatches(Tensor cells, MaskGrid grid)
    {
        if (grid.UnitPatches == 1)
        {
            return cells.sort(1).Values;
        }
        using var table = grid.PatchesOfCells().to(cells.device);
        var patches = table.index_select(0, cells.flatten()).reshape(cells.shape[0], -1);
        return patches.sort(1).Values;
    }
}
