namespace AmtSharp.Data.Transforms;

/// <summary>
/// What part of the source image a sample shows: a box in fractions of the source size (so it does not depend on
/// the decode resolution) and whether the result was mirrored left-right. The identity is (0, 0, 1, 1, false).
/// </summary>
public sealed record CropGeometry(double Top, double Left, double Height, double Width, bool Flipped)
{
    public static CropGeometry Identity { get; } = new(0, 0, 1, 1, false);

    /// <summary>Geometry of a pixel box (top, left, height, width) inside a <paramref name="imageWidth"/> x <paramref name="imageHeight"/> image.</summary>
    public static CropGeometry FromPixels(int top, int left, int height, int width, int imageWidth, int imageHeight, bool flipped) =>
        new((double)top / imageHeight, (double)left / imageWidth, (double)height / imageHeight, (double)width / imageWidth, flipped);

    /// <summary>
    /// Carries a per-image map (e.g. the AMT attention prior, <paramref name="mapRows"/> x <paramref name="mapCols"/>, row-major,
    /// covering the whole source image) onto this sample's output grid. Each output cell gets the area-weighted mean of the
    /// map over the source rectangle the cell shows (the map is piecewise constant per cell); columns are mirrored if flipped.
    /// Separable: W = R · M · Cᵀ with R, C the row and column overlap matrices (docs/method.md#prior-mapping).
    /// </summary>
    public float[] MapToGrid(float[] map, int mapRows, int mapCols, int outRows, int outCols)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mapRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(mapCols, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outCols, 1);
        if (map.Length != mapRows * mapCols)
        {
            throw new ArgumentException($"map has {map.Length} values, expected {mapRows}x{mapCols}", nameof(map));
        }
        double[,] rows = Overlap(mapRows, outRows, Top * mapRows, Height * mapRows);
        double[,] cols = Overlap(mapCols, outCols, Left * mapCols, Width * mapCols);

        // First M · Cᵀ (mapRows x outCols), then R · that.
        var mc = new double[mapRows, outCols];
        for (int u = 0; u < mapRows; u++)
        {
            for (int b = 0; b < outCols; b++)
            {
                double s = 0;
                for (int v = 0; v < mapCols; v++)
                {
                    s += cols[b, v] * map[u * mapCols + v];
                }
                mc[u, b] = s;
            }
        }
        var result = new float[outRows * outCols];
        for (int a = 0; a < outRows; a++)
        {
            for (int b = 0; b < outCols; b++)
            {
                double s = 0;
                for (int u = 0; u < mapRows; u++)
                {
                    s += rows[a, u] * mc[u, b];
                }
                result[a * outCols + (Flipped ? outCols - 1 - b : b)] = (float)s;
            }
        }
        return result;
    }

    /// <summary>
    /// m[a, u] = share of output cell a's span [start + a·step, start + (a+1)·step) that falls in map cell [u, u+1),
    /// with step = length / outCells. Rows are normalised to sum to 1, so rounding at the image border cannot push
    /// a weight outside [min, max] of the map.
    /// </summary>
    internal static double[,] Overlap(int cells, int outCells, double start, double length)
    {
        var m = new double[outCells, cells];
        double step = length / outCells;
        for (int a = 0; a < outCells; a++)
        {
            double lo = start + a * step, hi = lo + step, total = 0;
            for (int u = Math.Max(0, (int)Math.Floor(lo)); u < cells && u < hi; u++)
            {
                double share = Math.Max(0.0, Math.Min(hi, u + 1) - Math.Max(lo, u));
                m[a, u] = share;
                total += share;
            }
            if (total <= 0)
            {
                // A degenerate span (zero length or outside the image): take the nearest cell.
                m[a, Math.Clamp((int)Math.Floor(lo), 0, cells - 1)] = 1;
                continue;
            }
            for (int u = 0; u < cells; u++)
            {
                m[a, u] /= total;
            }
        }
        return m;
    }
}
