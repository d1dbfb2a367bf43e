using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>One measured quantity across the rows of an <see cref="ErrorBarChart"/>: per row, one value per repeat (seed).</summary>
public sealed record ErrorBarSeries(string Name, IReadOnlyList<IReadOnlyList<double>> ValuesPerRow);

/// <summary>
/// A PNG dot plot for comparing arms over seeds: one row per arm, the value axis horizontal. Each series draws every
/// repeat as a small dot, its mean as a large dot and a bar of ± one standard deviation; series of a row sit one
/// above the other. Rows without values are labelled "(no data)".
/// </summary>
public static class ErrorBarChart
{
    private const int Pad = 14;
    private const int TickLength = 5;
    private static readonly SKColor Ink = new(20, 20, 20);
    private static readonly SKColor GridColor = new(225, 225, 225);
    private const string Key = "large dot: mean over seeds; bar: +/- one sd; small dots: each seed";

    public static void Write(string path, IReadOnlyList<string> rows, IReadOnlyList<ErrorBarSeries> series, string title, string axisLabel, int textScale = 2)
    {
        using var bitmap = Render(rows, series, title, axisLabel, textScale);
        PngWriter.Save(bitmap, path);
    }

    public static SKBitmap Render(IReadOnlyList<string> rows, IReadOnlyList<ErrorBarSeries> series, string title, string axisLabel, int textScale = 2)
    {
        if (series.Any(s => s.ValuesPerRow.Count != rows.Count))
        {
            throw new ArgumentException("every series needs one list of values per row", nameof(series));
        }
        int s = textScale;
        int line = BitmapFont.LineHeight(s);
        int rowHeight = Math.Max(line, series.Count * 12 + 10) + 8;
        var values = series.SelectMany(x => x.ValuesPerRow.SelectMany(v => v)).Where(double.IsFinite).ToList();
        var bars = series.SelectMany(x => x.ValuesPerRow.Where(v => v.Count > 0).SelectMany(v => new[] { Mean(v) - Sd(v), Mean(v) + Sd(v) }));
        var axis = AxisScale.Linear(values.Concat(bars.Where(double.IsFinite)));

        int labelWidth = rows.Count == 0 ? 0 : rows.Max(r => BitmapFont.Measure(r, s));
        int legendHeight = (series.Count + 1) * line + Pad;
        int width = Math.Max(Math.Max(700, labelWidth + 560), BitmapFont.Measure(Key, s) + labelWidth + 3 * Pad);
        int top = Pad + line + Pad;
        int left = Pad + labelWidth + Pad;
        int right = width - Pad - 10;
        int plotBottom = top + rows.Count * rowHeight;
        int height = plotBottom + TickLength + line + line + Pad + legendHeight;

        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        BitmapFont.DrawCentered(canvas, title, width / 2f, Pad, s, Ink);

        float X(double v) => left + (float)axis.Fraction(v) * (right - left);
        using var gridPaint = new SKPaint { Color = GridColor, StrokeWidth = 1 };
        using var inkPaint = new SKPaint { Color = Ink, StrokeWidth = 1 };
        foreach (var (value, label) in axis.Ticks)
        {
            float x = X(value);
            canvas.DrawLine(x, top, x, plotBottom, gridPaint);
            canvas.DrawLine(x, plotBottom, x, plotBottom + TickLength, inkPaint);
            BitmapFont.DrawCentered(canvas, label, x, plotBottom + TickLength + 2, s, Ink);
        }
        canvas.DrawLine(left, plotBottom, right, plotBottom, inkPaint);
        BitmapFont.DrawCentered(canvas, axisLabel, (left + right) / 2f, plotBottom + TickLength + line + 4, s, Ink);

        for (int r = 0; r < rows.Count; r++)
        {
            float rowTop = top + r * rowHeight;
            BitmapFont.Draw(canvas, rows[r], Pad, rowTop + (rowHeight - BitmapFont.GlyphHeight(s)) / 2f, s, Ink);
            bool any = false;
            for (int k = 0; k < series.Count; k++)
            {
                var v = series[k].ValuesPerRow[r].Where(double.IsFinite).ToList();
                if (v.Count == 0)
                {
                    continue;
                }
                any = true;
                var color = ChartPalette.Default[k % ChartPalette.Default.Count].ToColor();
                float y = rowTop + 8 + k * 12 + 4;
                using var paint = new SKPaint { Color = color, StrokeWidth = 2, IsAntialias = true };
                double mean = Mean(v), sd = Sd(v);
                canvas.DrawLine(X(mean - sd), y, X(mean + sd), y, paint);
                canvas.DrawLine(X(mean - sd), y - 4, X(mean - sd), y + 4, paint);
                canvas.DrawLine(X(mean + sd), y - 4, X(mean + sd), y + 4, paint);
                using var faint = new SKPaint { Color = color.WithAlpha(140), IsAntialias = true };
                foreach (double value in v)
                {
                    canvas.DrawCircle(X(value), y, 2.5f, faint);
                }
                canvas.DrawCircle(X(mean), y, 5f, paint);
            }
            if (!any)
            {
                BitmapFont.Draw(canvas, "(no data)", left + 4, rowTop + (rowHeight - BitmapFont.GlyphHeight(s)) / 2f, s, new SKColor(120, 120, 120));
            }
        }

        float legendTop = height - legendHeight;
        for (int k = 0; k < series.Count; k++)
        {
            var color = ChartPalette.Default[k % ChartPalette.Default.Count].ToColor();
            using var paint = new SKPaint { Color = color, StrokeWidth = 2, IsAntialias = true };
            float y = legendTop + k * line + line / 2f;
            canvas.DrawLine(left, y, left + 24, y, paint);
            canvas.DrawCircle(left + 12, y, 5f, paint);
            BitmapFont.Draw(canvas, series[k].Name, left + 32, y - BitmapFont.GlyphHeight(s) / 2f, s, Ink);
        }
        BitmapFont.Draw(canvas, Key, left, legendTop + series.Count * line, s, new SKColor(90, 90, 90));
        return bitmap;
    }

    private static double Mean(IReadOnlyList<double> v) => v.Count == 0 ? double.NaN : v.Average();

    private static double Sd(IReadOnlyList<double> v)
    {
        if (v.Count < 2)
        {
            return 0;
        }
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1));
    }
}
