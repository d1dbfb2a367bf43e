namespace AmtSharp.Reporting;

/// <summary>Pixel geometry of an <see cref="AttentionOverlay"/> picture.</summary>
public sealed class AttentionOverlayLayout
{
    public const int Margin = 12;
    public const int Gap = 10;

    private AttentionOverlayLayout(IReadOnlyList<AttentionSample> samples, AttentionOverlayOptions options, int imageSize)
    {
        ImageSize = imageSize;
        Upscale = Math.Max(1, (options.MinCellSize + imageSize - 1) / imageSize);
        CellSize = imageSize * Upscale;
        Columns = Math.Min(Math.Max(1, options.Columns), samples.Count);
        Rows = (samples.Count + Columns - 1) / Columns;
        TextScale = options.TextScale;
        var legend = AttentionOverlay.Legend(samples, options);
        int textWidth = Math.Max(LegendRow.MaxItemWidth(legend, TextScale), BitmapFont.Measure(options.Title ?? "", TextScale));
        Width = 2 * Margin + Math.Max(textWidth, Columns * CellSize + (Columns - 1) * Gap);
        TitleTop = Margin;
        LegendTop = TitleTop + (options.Title is null ? 0 : BitmapFont.LineHeight(TextScale) + Gap);
        int legendHeight = LegendRow.Height(legend, Width - 2 * Margin, TextScale);
        Captions = [.. samples.Select(s => s.Caption is null ? [] : TextWrapper.Wrap(s.Caption, CellSize, TextScale))];
        CaptionHeight = Captions.Max(c => c.Count) * BitmapFont.LineHeight(TextScale);
        RowsTop = LegendTop + legendHeight + 2 * Gap;
        int rowHeight = CaptionHeight + CellSize;
        Height = RowsTop + Rows * rowHeight + (Rows - 1) * Gap + Margin;
    }

    public int Width { get; }

    public int Height { get; }

    public int Columns { get; }

    public int Rows { get; }

    public int ImageSize { get; }

    public int Upscale { get; }

    public int CellSize { get; }

    public int TextScale { get; }

    public int TitleTop { get; }

    public int LegendTop { get; }

    public int RowsTop { get; }

    /// <summary>Height reserved above every cell for captions.</summary>
    public int CaptionHeight { get; }

    /// <summary>Wrapped caption lines per sample.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Captions { get; }

    /// <summary>Top-left pixel of the image of sample <paramref name="index"/> (below its caption).</summary>
    public (int X, int Y) CellOrigin(int index)
    {
        int row = index / Columns, column = index % Columns;
        return (Margin + column * (CellSize + Gap), RowsTop + row * (CaptionHeight + CellSize + Gap) + CaptionHeight);
    }

    public static AttentionOverlayLayout For(IReadOnlyList<AttentionSample> samples, AttentionOverlayOptions options)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("an attention overlay needs at least one sample", nameof(samples));
        }
        int size = Raster.SideOf(samples[0].Image, nameof(samples));
        if (samples.Any(s => Raster.SideOf(s.Image, nameof(samples)) != size))
        {
            throw new ArgumentException("all images of an attention overlay must have the same size", nameof(samples));
        }
        return new AttentionOverlayLayout(samples, options, size);
    }
}
