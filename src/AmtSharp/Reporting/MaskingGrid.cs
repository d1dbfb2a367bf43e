using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>
/// A PNG with one row per sample and the columns image | prior heat map | mask plan | reconstruction, under
/// column titles and a colour legend.
/// </summary>
public static class MaskingGrid
{
    private static readonly SKColor Ink = new(20, 20, 20);
    private static readonly Rgb MissingColor = new(0.88f, 0.88f, 0.88f);

    public static void Write(string path, IReadOnlyList<MaskingSample> samples, MaskingGridOptions? options = null)
    {
        using var bitmap = Render(samples, options);
        PngWriter.Save(bitmap, path);
    }

    public static SKBitmap Render(IReadOnlyList<MaskingSample> samples, MaskingGridOptions? options = null)
    {
        options ??= new MaskingGridOptions();
        var layout = MaskingGridLayout.For(samples, options);
        var bitmap = new SKBitmap(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        if (options.Title is not null)
        {
            BitmapFont.Draw(canvas, options.Title, MaskingGridLayout.Margin, layout.TitleTop, layout.TextScale, Ink);
        }
        LegendRow.Draw(canvas, Legend(options), MaskingGridLayout.Margin, layout.LegendTop,
            layout.Width - 2 * MaskingGridLayout.Margin, layout.TextScale, Ink);
        DrawHeaders(canvas, layout);
        for (int row = 0; row < samples.Count; row++)
        {
            var cells = Cells(samples[row], layout, options);
            for (int column = 0; column < cells.Length; column++)
            {
                var (x, y) = layout.CellOrigin(row, column);
                if (cells[column] is { } cell)
                {
                    cell.DrawOn(canvas, x, y);
                }
                else
                {
                    new Raster(layout.CellSize, layout.CellSize, MissingColor).DrawOn(canvas, x, y);
                    int textY = y + (layout.CellSize - BitmapFont.GlyphHeight(layout.TextScale)) / 2;
                    BitmapFont.DrawCentered(canvas, "n/a", x + layout.CellSize / 2f, textY, layout.TextScale, Ink);
                }
            }
        }
        canvas.Flush();
        return bitmap;
    }

    /// <summary>The colour legend shown above the columns.</summary>
    internal static IReadOnlyList<LegendItem> Legend(MaskingGridOptions options)
    {
        var style = options.Style;
        var grey = new Rgb(0.6f, 0.6f, 0.6f);
        return
        [
            // Visible patches are the image itself; a soft gradient stands for "picture content".
            LegendItem.Pattern((x, y) => new Rgb(0.45f + 0.025f * x, 0.7f - 0.01f * y, 0.35f + 0.02f * y), "visible (image as is)"),
            LegendItem.Solid(Rgb.Lerp(grey, style.MaskedColor, style.MaskedOpacity), "masked"),
            LegendItem.Pattern((x, y) => PatchPainter.Hatch(x, y, style), "thrown"),
            LegendItem.Solid(style.BlankColor, "thrown, not predicted"),
            LegendItem.ColorBar(options.PriorColormap, options.PriorScaling == MapScaling.Raw ? "prior 0 → 1" : "prior min → max"),
        ];
    }

    private static void DrawHeaders(SKCanvas canvas, MaskingGridLayout layout)
    {
        int lineHeight = BitmapFont.LineHeight(layout.HeaderScale);
        for (int column = 0; column < MaskingGridLayout.Columns; column++)
        {
            float centre = layout.CellOrigin(0, column).X + layout.CellSize / 2f;
            var lines = layout.HeaderLines[column];
            for (int i = 0; i < lines.Count; i++)
            {
                BitmapFont.DrawCentered(canvas, lines[i], centre, layout.HeaderTop + i * lineHeight, layout.HeaderScale, Ink);
            }
        }
    }

    private static Raster?[] Cells(MaskingSample sample, MaskingGridLayout layout, MaskingGridOptions options)
    {
        int grid = GridUpsampler.SideOf(sample.Codes.Length, nameof(sample));
        if (layout.ImageSize % grid != 0)
        {
            throw new ArgumentException($"a {layout.ImageSize}-pixel image cannot be cut into {grid}×{grid} patches", nameof(sample));
        }
        var image = Raster.FromChw(sample.Image, layout.ImageSize).ScaleNearest(layout.Upscale);
        Raster? prior = null;
        if (sample.Prior is not null)
        {
            var scaled = MapScaler.Apply(sample.Prior, options.PriorScaling);
            var map = GridUpsampler.Upsample(scaled, layout.CellSize, options.PriorUpsample);
            prior = HeatmapBlend.Overlay(image, map, options.PriorColormap, options.PriorOpacity, options.PriorImageDim);
        }
        var mask = PatchPainter.MaskView(image, sample.Codes, options.Style);
        Raster? reconstruction = null;
        if (sample.Reconstruction is not null)
        {
            var predicted = Raster.FromChw(sample.Reconstruction, layout.ImageSize).ScaleNearest(layout.Upscale);
            reconstruction = PatchPainter.Reconstruction(image, predicted, sample.Codes, options.Style);
        }
        return [image, prior, mask, reconstruction];
    }
}
