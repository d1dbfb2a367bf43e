using AmtSharp.Data.Transforms;
using AmtSharp.Masking;
using static TorchSharp.torch;

namespace AmtSharp.Amt;

/// <summary>
/// Sampling weights for a training batch (amt-method §7): each sample's prior, cropped and flipped with exactly
/// the geometry applied to its image, reduced to one weight per cell of the mask grid (patch or SimMIM unit).
/// </summary>
public static class PriorMapping
{
    /// <summary>[B, cells] weights for the samples with these dataset indices and crop geometries.</summary>
    public static Tensor Weights(PriorStore store, IReadOnlyList<int> indices, IReadOnlyList<CropGeometry> geometry, MaskGrid grid)
    {
        int cells = grid.Cells, g = store.GridSize, ug = grid.UnitGrid;
        var weights = new float[indices.Count * cells];
        for (int i = 0; i < indices.Count; i++)
        {
            // Tiny per-sample matrix products (G×G → U×U); the draw itself is batched on tensors.
            var mapped = geometry[i].MapToGrid(store.GetCopy(indices[i]), g, g, ug, ug);
            Array.Copy(mapped, 0, weights, i * cells, cells);
        }
        return tensor(weights, [indices.Count, cells]);
    }
}
