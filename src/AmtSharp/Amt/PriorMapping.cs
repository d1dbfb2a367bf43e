using AmtSharp.Data.Transforms;
using AmtSharp.Masking;
using static TorchSharp.torch;

namespace AmtSharp.Amt;

/// <summary>How a sample's crop and flip carry the whole-image prior onto its cell grid.</summary>
public enum PriorCrop
{
    /// <summary>The prior inside the crop box, area-weighted per cell, flipped with the image (docs/method.md#prior-mapping).</summary>
    Exact,

    /// <summary>
    /// The released AMT code's arithmetic, reproduced for replication: the top-left 2×2 or 3×3 cells of the map,
    /// bilinearly resized to the input size and summed per cell (<see cref="OfficialPriorCrop"/>).
    /// </summary>
    Official,
}

/// <summary>
/// Sampling weights for a training batch (docs/method.md#prior-mapping): each sample's prior, cropped and flipped with exactly
/// the geometry applied to its image, reduced to one weight per cell of the mask grid (patch or SimMIM unit).
/// The whole batch at once: W = R · M · Cᵀ as batched matrix products, with the row and column overlap matrices
/// R and C built by broadcasting. <see cref="CropGeometry.MapToGrid"/> is the per-sample reference it matches.
/// </summary>
public static class PriorMapping
{
    /// <summary>
    /// [B, cells] weights under <paramref name="crop"/>; <paramref name="imageSize"/> (the model input side in pixels)
    /// is only read by <see cref="PriorCrop.Official"/>, whose resize works in pixels.
    /// </summary>
    public static Tensor Weights(PriorStore store, IReadOnlyList<int> indices, IReadOnlyList<CropGeometry> geometry, MaskGrid grid,
        PriorCrop crop, int imageSize) => crop switch
        {
            PriorCrop.Exact => Weights(store, indices, geometry, grid),
            PriorCrop.Official => OfficialPriorCrop.Weights(store, indices, geometry, grid, imageSize),
            _ => throw new ArgumentOutOfRangeException(nameof(crop), crop, "unknown prior crop"),
        };

    /// <summary>[B, cells] weights for the samples with these dataset indices and crop geometries.</summary>
    public static Tensor Weights(PriorStore store, IReadOnlyList<int> indices, IReadOnlyList<CropGeometry> geometry, MaskGrid grid)
    {
        int n = indices.Count, g = store.GridSize, ug = grid.UnitGrid;
        if (geometry.Count != n)
        {
            throw new ArgumentException($"{n} indices but {geometry.Count} crop geometries", nameof(geometry));
        }
        var maps = new float[n * store.Cells];
        var boxes = new double[n * 4];
        var flipped = new bool[n];
        for (int i = 0; i < n; i++)
        {
            // Gathering rows and box numbers only; the arithmetic below is batched.
            store.Get(indices[i]).CopyTo(maps.AsSpan(i * store.Cells, store.Cells));
            var c = geometry[i];
            (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]) = (c.Top, c.Height, c.Left, c.Width);
            flipped[i] = c.Flipped;
        }

        using var scope = NewDisposeScope();
        var box = tensor(boxes, [n, 4]) * g;                                     // in prior-cell units
        var rows = Overlap(box[.., 0], box[.., 1], g, ug);                       // R [B, ug, g]
        var cols = Overlap(box[.., 2], box[.., 3], g, ug);                       // C [B, ug, g]
        var prior = tensor(maps, [n, g, g]).to(ScalarType.Float64);
        var w = rows.bmm(prior).bmm(cols.transpose(1, 2));                       // [B, ug, ug]
        w = where(tensor(flipped).view(n, 1, 1), w.flip(2), w);
        return w.reshape(n, ug * ug).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [B, outCells, cells]: the share of output cell a's span [start + a·step, start + (a+1)·step), step = length / outCells,
    /// that falls in prior cell [u, u+1), each row normalised to sum to 1; a span that covers no cell takes the nearest one.
    /// </summary>
    private static Tensor Overlap(Tensor start, Tensor length, int cells, int outCells)
    {
        var step = (length / outCells).view(-1, 1, 1);
        var lo = start.view(-1, 1, 1) + arange(outCells, dtype: ScalarType.Float64).view(1, -1, 1) * step;
        var hi = lo + step;
        var u = arange(cells, dtype: ScalarType.Float64).view(1, 1, -1);
        var share = (minimum(hi, u + 1) - maximum(lo, u)).clamp_min(0);
        var total = share.sum(-1, keepdim: true);
        var nearest = nn.functional.one_hot(lo.floor().clamp(0, cells - 1).to(ScalarType.Int64).squeeze(-1), cells).to(ScalarType.Float64);
        return where(total > 0, share / total.clamp_min(double.Epsilon), nearest);
    }
}
