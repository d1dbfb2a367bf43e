using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>
/// A PNG line chart of named series (loss or accuracy curves) with axes, tick labels, title, axis labels and a
/// legend to the right of the plot; empty or all-NaN series are listed as "(no data)".
/// </summary>
public static class LineChart
{
    private const int Pad = 14;
    private const int TickLength = 5;
    private const int LegendLine = 24;
    private static readonly SKColor Ink = new(20, 20, 20);
    private static readonly SKColor GridColor = new(225, 225, 225);

    public static void Write(string path, IReadOnlyList<ChartSeries> series, LineChartOptions? options = null)
    {
        using var bitmap = Render(series, options);
        PngWriter.Save(bitmap, path);
    }

    public static SKBitmap Render(IReadOnlyList<ChartSeries> series, LineChartOptions? options = null)
    {
        options ??= new LineChartOptions();
        int s = options.TextScale;
        var drawable = series.SelectMany(x => x.Points).Where(p => AxisScale.Drawable(p.X, false) && AxisScale.Drawable(p.Y, options.LogY)).ToArray();
        var markers = options.Markers.Where(m => double.IsFinite(m.X)).ToArray();
        var xAxis = AxisScale.Linear(drawable.Select(p => p.X).Concat(drawable.Length > 0 ? markers.Select(m => m.X) : []));
        var yAxis = options.LogY ? AxisScale.Log(drawable.Select(p => p.Y)) : AxisScale.Linear(drawable.Select(p => p.Y));
        var labels = series.Select((x, i) => LegendLabel(x, options.LogY)).ToArray();
        var markerLegend = markers.DistinctBy(m => m.Label).ToArray();

        int lineHeight = BitmapFont.LineHeight(s);
        int top = Pad + (options.Title.Length > 0 ? lineHeight + Pad : 0);
        int yTickWidth = yAxis.Ticks.Max(t => BitmapFont.Measure(t.Label, s));
        int left = Pad + (options.YLabel.Length > 0 ? lineHeight + Pad / 2 : 0) + yTickWidth + TickLength + 6;
        var legendLabels = labels.Concat(markerLegend.Select(m => m.Label)).ToArray();
        int legendWidth = legendLabels.Length == 0 ? 0 : 30 + legendLabels.Max(l => BitmapFont.Measure(l, s)) + Pad;
        int right = options.Width - Pad - legendWidth;
        int bottom = options.Height - Pad - (options.XLabel.Length > 0 ? lineHeight + Pad / 2 : 0) - lineHeight - TickLength - 4;
        if (right - left < 20 || bottom - top < 20)
        {
            throw new ArgumentException($"chart {options.Width}×{options.Height} is too small for its labels and legend");
        }
        var plot = new SKRect(left, top, right, bottom);

        var bitmap = new SKBitmap(new SKImageInfo(options.Width, options.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        if (options.Title.Length > 0)
        {
            BitmapFont.DrawCentered(canvas, options.Title, options.Width / 2f, Pad, s, Ink);
        }
        DrawAxes(canvas, plot, xAxis, yAxis, s);
        if (options.XLabel.Length > 0)
        {
            BitmapFont.DrawCentered(canvas, options.XLabel, plot.MidX, options.Height - Pad - BitmapFont.GlyphHeight(s), s, Ink);
        }
        if (options.YLabel.Length > 0)
        {
            BitmapFont.DrawVertical(canvas, options.YLabel, Pad + BitmapFont.GlyphHeight(s) / 2f, plot.MidY, s, Ink);
        }
        if (drawable.Length == 0)
        {
            BitmapFont.DrawCentered(canvas, "no data", plot.MidX, plot.MidY - BitmapFont.GlyphHeight(s) / 2f, s, new SKColor(120, 120, 120));
        }
        if (drawable.Length > 0)
        {
            foreach (var marker in markers)
            {
                DrawMarker(canvas, plot, marker, xAxis);
            }
        }
        for (int i = 0; i < series.Count; i++)
        {
            var color = options.Palette[i % options.Palette.Count].ToColor();
            DrawSeries(canvas, plot, series[i], xAxis, yAxis, color, options);
            DrawLegendEntry(canvas, right + Pad, top + i * LegendLine, labels[i], color, s);
        }
        for (int i = 0; i < markerLegend.Length; i++)
        {
            var m = markerLegend[i];
            DrawLegendEntry(canvas, right + Pad, top + (series.Count + i) * LegendLine, m.Label, m.Color.ToColor(), s, m.Dashed);
        }
        canvas.Flush();
        return bitmap;
    }

    private static string LegendLabel(ChartSeries series, bool logY)
    {
        string name = series.Name.Length > 0 ? series.Name : "(unnamed)";
        bool any = series.Points.Any(p => AxisScale.Drawable(p.X, false) && AxisScale.Drawable(p.Y, logY));
        return any ? name : name + " (no data)";
    }

    private static void DrawAxes(SKCanvas canvas, SKRect plot, AxisScale x, AxisScale y, int s)
    {
        using var grid = new SKPaint { Color = GridColor, StrokeWidth = 1, IsAntialias = false };
        using var axis = new SKPaint { Color = Ink, StrokeWidth = 1, IsAntialias = false, Style = SKPaintStyle.Stroke };
        foreach (var (value, label) in x.Ticks)
        {
            float px = (float)Math.Round(plot.Left + x.Fraction(value) * plot.Width) + 0.5f;
            canvas.DrawLine(px, plot.Top, px, plot.Bottom, grid);
            canvas.DrawLine(px, plot.Bottom, px, plot.Bottom + TickLength, axis);
            BitmapFont.DrawCentered(canvas, label, px, plot.Bottom + TickLength + 4, s, Ink);
        }
        foreach (var (value, label) in y.Ticks)
        {
            float py = (float)Math.Round(plot.Bottom - y.Fraction(value) * plot.Height) + 0.5f;
            canvas.DrawLine(plot.Left, py, plot.Right, py, grid);
            canvas.DrawLine(plot.Left - TickLength, py, plot.Left, py, axis);
            float textX = plot.Left - TickLength - 6 - BitmapFont.Measure(label, s);
            BitmapFont.Draw(canvas, label, textX, py - BitmapFont.GlyphHeight(s) / 2f, s, Ink);
        }
        canvas.DrawRect(plot.Left + 0.5f, plot.Top + 0.5f, plot.Width - 1, plot.Height - 1, axis);
    }

    private static void DrawSeries(SKCanvas canvas, SKRect plot, ChartSeries series, AxisScale x, AxisScale y, SKColor color, LineChartOptions options)
    {
        using var line = new SKPaint
        {
            Color = color,
            StrokeWidth = series.LineWidth,
            IsAntialias = true,
            Style = SKPaintStyle.Stroke,
            StrokeJoin = SKStrokeJoin.Round,
            StrokeCap = SKStrokeCap.Round,
        };
        using var dot = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };
        bool markers = series.Points.Count <= options.MaxPointsWithMarkers;
        canvas.Save();
        canvas.ClipRect(plot);
        SKPoint? previous = null;
        SKPoint? lonely = null;
        foreach (var (px, py) in series.Points)
        {
            double fx = x.Fraction(px), fy = y.Fraction(py);
            if (double.IsNaN(fx) || double.IsNaN(fy))
            {
                DrawIfLonely(canvas, lonely, dot);
                previous = null;
                lonely = null;
                continue;
            }
            var point = new SKPoint((float)(plot.Left + fx * plot.Width), (float)(plot.Bottom - fy * plot.Height));
            if (previous is { } from)
            {
                canvas.DrawLine(from, point, line);
                lonely = null;
            }
            else
            {
                lonely = point;
            }
            previous = point;
            if (markers)
            {
                canvas.DrawCircle(point, 3f, dot);
            }
        }
        DrawIfLonely(canvas, lonely, dot);
        canvas.Restore();
    }

    private static void DrawIfLonely(SKCanvas canvas, SKPoint? point, SKPaint dot)
    {
        if (point is { } p)
        {
            canvas.DrawCircle(p, 3f, dot);
        }
    }

    private static void DrawMarker(SKCanvas canvas, SKRect plot, ChartMarker marker, AxisScale x)
    {
        double f = x.Fraction(marker.X);
        if (double.IsNaN(f) || f < 0 || f > 1)
        {
            return;
        }
        using var paint = MarkerPaint(marker.Color.ToColor(), marker.Dashed, 2);
        float px = (float)Math.Round(plot.Left + f * plot.Width) + 0.5f;
        canvas.DrawLine(px, plot.Top + 1, px, plot.Bottom - 1, paint);
    }

    private static SKPaint MarkerPaint(SKColor color, bool dashed, float width) => new()
    {
        Color = color,
        StrokeWidth = width,
        IsAntialias = true,
        Style = SKPaintStyle.Stroke,
        PathEffect = dashed ? SKPathEffect.CreateDash([6, 4], 0) : null,
    };

    private static void DrawLegendEntry(SKCanvas canvas, float x, float y, string label, SKColor color, int s, bool dashed = false)
    {
        using var line = MarkerPaint(color, dashed, 3);
        float mid = y + BitmapFont.GlyphHeight(s) / 2f;
        canvas.DrawLine(x, mid, x + 22, mid, line);
        BitmapFont.Draw(canvas, label, x + 30, y, s, Ink);
    }
}
