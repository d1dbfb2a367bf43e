namespace AmtSharp.Reporting;

/// <summary>One legend entry: a small picture (colour swatch, pattern or colour bar) and its label.</summary>
public sealed record LegendItem(Raster Swatch, string Label)
{
    /// <summary>A solid square.</summary>
    public static LegendItem Solid(Rgb color, string label, int size = 16) => new(new Raster(size, size, color), label);

    /// <summary>A width×height swatch filled by <paramref name="paint"/>(x, y).</summary>
    public static LegendItem Pattern(Func<int, int, Rgb> paint, string label, int width = 16, int height = 16)
    {
        var swatch = new Raster(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                swatch[x, y] = paint(x, y);
            }
        }
        return new LegendItem(swatch, label);
    }

    /// <summary>A horizontal colour bar from 0 (left) to 1 (right).</summary>
    public static LegendItem ColorBar(Colormap colormap, string label, int width = 80, int height = 16) =>
        Pattern((x, _) => colormap.Map(x / (float)(width - 1)), label, width, height);
}
