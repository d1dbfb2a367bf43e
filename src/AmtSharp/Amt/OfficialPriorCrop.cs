using AmtSharp.Data.Transforms;
using AmtSharp.Masking;
using static TorchSharp.torch;

namespace AmtSharp.Amt;

/// <summary>
/// The released AMT code's prior mapping, kept as a replication switch (docs/method.md#official-crop). Its
/// RandomResizedCrop slices the map with pixel offsets divided by the whole image size: rows ⌊i/H⌋ … ⌊(i+h)/H⌋ + 2
/// (exclusive), columns likewise with j, w and W. The start is always 0 and the end 2, or 3 when the crop reaches
/// the bottom (right) edge, so the slice is the map's top-left 2×2 to 3×3 cells whatever the crop. That slice is
/// resized bilinearly (align_corners = false) to the S×S input, clamped to [0, 1], flipped with the image and summed
/// over each cell of the mask grid.
/// </summary>
/// <remarks>
/// Resize-then-sum is linear and separable, so each sample's weights are A_r · M[0:e_r, 0:e_c] · A_cᵀ, where A[a, u]
/// sums, over the pixels of cell row a, the bilinear weight of slice row u. Bilinear weights are a convex combination,
/// so values in [0, 1] stay there and the clamp changes nothing.
/// </remarks>
public static class OfficialPriorCrop
{
    /// <summary>Largest slice the arithmetic can produce.</summary>
    public const int MaxSlice = 3;

    /// <summary>
    /// The slice end (exclusive) along one axis for a crop starting at <paramref name="start"/> with
    /// <paramref name="length"/>, both as fractions of the image side: ⌊i/H⌋ = 0 for every crop inside the image, and
    /// ⌊(i+h)/H⌋ is 1 exactly when the crop reaches the far edge.
    /// </summary>
    public static int SliceEnd(double start, double length) => start + length >= 1 - 1e-9 ? 3 : 2;

    /// <summary>[cells-per-side, e]: per cell row, the summed bilinear weights of each of the e slice rows.</summary>
    public static double[,] CellWeights(int slice, int imageSize, int cellsPerSide)
    {
        if (imageSize % cellsPerSide != 0)
        {
            throw new ArgumentException($"{cellsPerSide} cells do not tile {imageSize} px", nameof(cellsPerSide));
        }
        var a = new double[cellsPerSide, slice];
        int cellPixels = imageSize / cellsPerSide;
        double scale = (double)slice / imageSize;
        for (int x = 0; x < imageSize; x++)
        {
            // PyTorch's upsample_bilinear2d with align_corners = false: source = (x + 0.5)·scale − 0.5, clamped at 0.
            double source = Math.Max((x + 0.5) * scale - 0.5, 0);
            int lo = (int)source, hi = Math.Min(lo + 1, slice - 1);
            double t = source - lo;
            a[x / cellPixels, lo] += 1 - t;
            a[x / cellPixels, hi] += t;
        }
        return a;
    }

    /// <summary>[B, cells] weights for the samples with these dataset indices and crop geometries.</summary>
    public static Tensor Weights(PriorStore store, IReadOnlyList<int> indices, IReadOnlyList<CropGeometry> geometry, MaskGrid grid, int imageSize)
    {
        int n = indices.Count, g = store.GridSize, ug = grid.UnitGrid, e = Math.Min(MaxSlice, g);
        if (geometry.Count != n)
        {
            throw new ArgumentException($"{n} indices but {geometry.Count} crop geometries", nameof(geometry));
        }
        // Slice matrices for an end of 2 and of 3, padded to e columns so that the whole batch is one bmm.
        var bySlice = new Dictionary<int, double[,]>();
        double[,] Table(int end) => bySlice.TryGetValue(end, out var t) ? t : bySlice[end] = CellWeights(end, imageSize, ug);
        var corners = new float[n * e * e];
        var rows = new double[n * ug * e];
        var cols = new double[n * ug * e];
        var flipped = new bool[n];
        for (int i = 0; i < n; i++)
        {
            var map = store.Get(indices[i]);
            for (int u = 0; u < e; u++)
            {
                for (int v = 0; v < e; v++)
                {
                    corners[(i * e + u) * e + v] = map[u * g + v];
                }
            }
            var c = geometry[i];
            Fill(rows, i, Table(Math.Min(SliceEnd(c.Top, c.Height), g)), ug, e);
            Fill(cols, i, Table(Math.Min(SliceEnd(c.Left, c.Width), g)), ug, e);
            flipped[i] = c.Flipped;
        }

        using var scope = NewDisposeScope();
        var r = tensor(rows, [n, ug, e]);
        var cT = tensor(cols, [n, ug, e]).transpose(1, 2);
        var m = tensor(corners, [n, e, e]).to(ScalarType.Float64).clamp(0, 1);
        var w = r.bmm(m).bmm(cT);                                               // [B, ug, ug]
        w = where(tensor(flipped).view(n, 1, 1), w.flip(2), w);
        return w.reshape(n, ug * ug).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    // Copies a [ug, end] table into sample i's [ug, e] block; columns past the slice end stay 0.
    private static void Fill(double[] target, int sample, double[,] table, int ug, int e)
    {
        int end = table.GetLength(1);
        for (int a = 0; a < ug; a++)
        {
            for (int u = 0; u < end; u++)
            {
                target[(sample * ug + a) * e + u] = table[a, u];
            }
        }
    }
}
