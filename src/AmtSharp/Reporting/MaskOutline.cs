namespace AmtSharp.Reporting;

/// <summary>The inner outline of a binary mask after nearest-neighbour enlargement.</summary>
public static class MaskOutline
{
    /// <summary>
    /// Pixels of the size·upscale square that are inside the enlarged mask and within <paramref name="width"/>
    /// pixels (Chebyshev distance) of an outside pixel; the picture border does not count as outside.
    /// </summary>
    public static bool[] Trace(bool[] mask, int size, int upscale, int width)
    {
        if (mask.Length != size * size)
        {
            throw new ArgumentException($"expected {size}·{size} mask values, got {mask.Length}", nameof(mask));
        }
        int n = size * upscale;
        bool Inside(int x, int y) => mask[y / upscale * size + x / upscale];
        var outline = new bool[n * n];
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                if (!Inside(x, y))
                {
                    continue;
                }
                bool edge = false;
                for (int dy = -width; dy <= width && !edge; dy++)
                {
                    for (int dx = -width; dx <= width && !edge; dx++)
                    {
                        int xx = x + dx, yy = y + dy;
                        edge = xx >= 0 && yy >= 0 && xx < n && yy < n && !Inside(xx, yy);
                    }
                }
                outline[y * n + x] = edge;
            }
        }
        return outline;
    }
}
