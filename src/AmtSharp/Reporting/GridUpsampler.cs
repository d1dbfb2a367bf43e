namespace AmtSharp.Reporting;

/// <summary>How a coarse G×G map is enlarged to image resolution.</summary>
public enum UpsampleMode
{
    Nearest,
    Bilinear,
}

/// <summary>Enlarges a square G×G map (row-major) to size×size.</summary>
public static class GridUpsampler
{
    /// <summary>Side G of a square map given as G·G floats.</summary>
    public static int SideOf(int length, string paramName)
    {
        int side = (int)Math.Round(Math.Sqrt(length));
        if (side < 1 || side * side != length)
        {
            throw new ArgumentException($"{length} values is not a square G·G map", paramName);
        }
        return side;
    }

    public static float[] Upsample(float[] map, int size, UpsampleMode mode)
    {
        int g = SideOf(map.Length, nameof(map));
        var result = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                result[y * size + x] = mode == UpsampleMode.Nearest
                    ? map[Math.Min(g - 1, y * g / size) * g + Math.Min(g - 1, x * g / size)]
                    : Bilinear(map, g, (x + 0.5f) * g / size - 0.5f, (y + 0.5f) * g / size - 0.5f);
            }
        }
        return result;
    }

    private static float Bilinear(float[] map, int g, float fx, float fy)
    {
        fx = Math.Clamp(fx, 0, g - 1);
        fy = Math.Clamp(fy, 0, g - 1);
        int x0 = (int)fx, y0 = (int)fy;
        int x1 = Math.Min(g - 1, x0 + 1), y1 = Math.Min(g - 1, y0 + 1);
        float tx = fx - x0, ty = fy - y0;
        float top = map[y0 * g + x0] * (1 - tx) + map[y0 * g + x1] * tx;
        float bottom = map[y1 * g + x0] * (1 - tx) + map[y1 * g + x1] * tx;
        return top * (1 - ty) + bottom * ty;
    }
}
