using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>
/// A PNG grid of images, each with its attention map blended on in colour and, optionally, the outline of the
/// ground-truth foreground.
/// </summary>
public static class AttentionOverlay
{
    private static readonly SKColor Ink = new(20, 20, 20);

    public static void Write(string path, IReadOnlyList<AttentionSample> samples, AttentionOverlayOptions? options = null)
    {
        using var bitmap = Render(samples, options);
        PngWriter.Save(bitmap, path);
    }

    public static SKBitmap Render(IReadOnlyList<AttentionSample> samples, AttentionOverlayOptions? options = null)
    {
        options ??= new AttentionOverlayOptions();
        var layout = AttentionOverlayLayout.For(samples, options);
        var bitmap = new SKBitmap(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        if (options.Title is not null)
        {
            BitmapFont.Draw(canvas, options.Title, AttentionOverlayLayout.Margin, layout.TitleTop, layout.TextScale, Ink);
        }
        LegendRow.Draw(canvas, Legend(samples, options), AttentionOverlayLayout.Margin, layout.LegendTop,
            layout.Width - 2 * AttentionOverlayLayout.Margin, layout.TextScale, Ink);
        for (int i = 0; i < samples.Count; i++)
        {
            var (x, y) = layout.CellOrigin(i);
            var lines = layout.Captions[i];
            int lineHeight = BitmapFont.LineHeight(layout.TextScale);
            for (int l = 0; l < lines.Count; l++)
            {
                int top = y - layout.CaptionHeight + l * lineHeight;
                BitmapFont.DrawCentered(canvas, lines[l], x + layout.CellSize / 2f, top, layout.TextScale, Ink);
            }
            Cell(samples[i], layout, options).DrawOn(canvas, x, y);
        }
        canvas.Flush();
        return bitmap;
    }

    /// <summary>The colour bar, plus the outline swatch when any sample has a foreground mask.</summary>
    internal static IReadOnlyList<LegendItem> Legend(IReadOnlyList<AttentionSample> samples, AttentionOverlayOptions options)
    {
        string range = options.Scaling == MapScaling.MinMax ? "attention min → max (per image)" : "attention 0 → 1";
        var items = new List<LegendItem> { LegendItem.ColorBar(options.Colormap, range) };
        if (samples.Any(s => s.Foreground is not null))
        {
            var dark = new Rgb(0.25f, 0.25f, 0.25f);
            items.Add(LegendItem.Pattern((x, y) => x < 4 || y < 4 || x > 11 || y > 11 ? options.ContourColor : dark,
                "ground-truth foreground outline"));
        }
        return items;
    }

    private static Raster Cell(AttentionSample sample, AttentionOverlayLayout layout, AttentionOverlayOptions options)
    {
        var image = Raster.FromChw(sample.Image, layout.ImageSize).ScaleNearest(layout.Upscale);
        var scaled = MapScaler.Apply(sample.Attention, options.Scaling);
        var map = GridUpsampler.Upsample(scaled, layout.CellSize, options.Upsample);
        var cell = HeatmapBlend.Overlay(image, map, options.Colormap, options.Opacity, options.ImageDim);
        if (sample.Foreground is not null)
        {
            var outline = MaskOutline.Trace(sample.Foreground, layout.ImageSize, layout.Upscale, options.ContourWidth);
            for (int p = 0; p < outline.Length; p++)
            {
                if (outline[p])
                {
                    cell[p % layout.CellSize, p / layout.CellSize] = options.ContourColor;
                }
            }
        }
        return cell;
    }
}
