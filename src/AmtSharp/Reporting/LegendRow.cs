using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>Lays legend items out left to right, wrapping onto further lines when a line is full.</summary>
public static class LegendRow
{
    private const int SwatchGap = 6;
    private const int ItemGap = 18;
    private const int LineGap = 6;

    /// <summary>Height the items take when wrapped to <paramref name="maxWidth"/>.</summary>
    public static int Height(IReadOnlyList<LegendItem> items, int maxWidth, int scale)
    {
        var places = Place(items, maxWidth, scale);
        return places.Count == 0 ? 0 : places.Max(p => p.Y + LineHeight(items[p.Index], scale));
    }

    public static void Draw(SKCanvas canvas, IReadOnlyList<LegendItem> items, int left, int top, int maxWidth, int scale, SKColor textColor)
    {
        foreach (var (index, x, y) in Place(items, maxWidth, scale))
        {
            var item = items[index];
            int line = LineHeight(item, scale);
            using (var frame = new SKPaint { Color = new SKColor(90, 90, 90), Style = SKPaintStyle.Stroke, StrokeWidth = 1 })
            {
                int sy = top + y + (line - item.Swatch.Height) / 2;
                item.Swatch.DrawOn(canvas, left + x, sy);
                canvas.DrawRect(left + x - 0.5f, sy - 0.5f, item.Swatch.Width + 1, item.Swatch.Height + 1, frame);
            }
            int textY = top + y + (line - BitmapFont.GlyphHeight(scale)) / 2;
            BitmapFont.Draw(canvas, item.Label, left + x + item.Swatch.Width + SwatchGap, textY, scale, textColor);
        }
    }

    /// <summary>Width of the widest single item (a line is never narrower).</summary>
    public static int MaxItemWidth(IReadOnlyList<LegendItem> items, int scale) =>
        items.Count == 0 ? 0 : items.Max(i => ItemWidth(i, scale));

    private static int LineHeight(LegendItem item, int scale) => Math.Max(item.Swatch.Height, BitmapFont.GlyphHeight(scale));

    private static int ItemWidth(LegendItem item, int scale) => item.Swatch.Width + SwatchGap + BitmapFont.Measure(item.Label, scale);

    private static List<(int Index, int X, int Y)> Place(IReadOnlyList<LegendItem> items, int maxWidth, int scale)
    {
        var places = new List<(int, int, int)>();
        int x = 0, y = 0, lineHeight = 0;
        for (int i = 0; i < items.Count; i++)
        {
            int width = ItemWidth(items[i], scale);
            if (x > 0 && x + width > maxWidth)
            {
                x = 0;
                y += lineHeight + LineGap;
                lineHeight = 0;
            }
            places.Add((i, x, y));
            x += width + ItemGap;
            lineHeight = Math.Max(lineHeight, LineHeight(items[i], scale));
        }
        return places;
    }
}
