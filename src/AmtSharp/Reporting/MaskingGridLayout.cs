namespace AmtSharp.Reporting;

/// <summary>Pixel geometry of a <see cref="MaskingGrid"/> picture: where the title, legend, headers and cells go.</summary>
public sealed class MaskingGridLayout
{
    public const int Columns = 4;
    public const int Margin = 12;
    public const int Gap = 8;

    private MaskingGridLayout(MaskingGridOptions options, int rows, int imageSize, IReadOnlyList<LegendItem> legend)
    {
        Rows = rows;
        ImageSize = imageSize;
        Upscale = Math.Max(1, (options.MinCellSize + imageSize - 1) / imageSize);
        CellSize = imageSize * Upscale;
        TextScale = options.TextScale;
        int textWidth = Math.Max(LegendRow.MaxItemWidth(legend, TextScale), BitmapFont.Measure(options.Title ?? "", TextScale));
        Width = 2 * Margin + Math.Max(textWidth, Columns * CellSize + (Columns - 1) * Gap);
        TitleTop = Margin;
        int titleHeight = options.Title is null ? 0 : BitmapFont.LineHeight(TextScale) + Gap;
        LegendTop = TitleTop + titleHeight;
        int legendHeight = LegendRow.Height(legend, Width - 2 * Margin, TextScale);
        HeaderTop = LegendTop + legendHeight + 2 * Gap;
        string[] titles = [options.ImageTitle, options.PriorTitle, options.MaskTitle, options.ReconstructionTitle];
        bool wordsFit = titles.SelectMany(t => t.Split(' ')).All(w => BitmapFont.Measure(w, TextScale) <= CellSize);
        HeaderScale = wordsFit ? TextScale : 1;
        HeaderLines = [.. titles.Select(t => TextWrapper.Wrap(t, CellSize, HeaderScale))];
        int headerHeight = HeaderLines.Max(l => l.Count) * BitmapFont.LineHeight(HeaderScale);
        RowsTop = HeaderTop + headerHeight + Gap / 2;
        Height = RowsTop + rows * CellSize + Math.Max(0, rows - 1) * Gap + Margin;
    }

    public int Width { get; }

    public int Height { get; }

    public int Rows { get; }

    /// <summary>Side S of the input images.</summary>
    public int ImageSize { get; }

    /// <summary>Nearest-neighbour enlargement factor from image to cell.</summary>
    public int Upscale { get; }

    /// <summary>Side of one cell in output pixels (S · <see cref="Upscale"/>).</summary>
    public int CellSize { get; }

    public int TextScale { get; }

    public int HeaderScale { get; }

    public int TitleTop { get; }

    public int LegendTop { get; }

    public int HeaderTop { get; }

    public int RowsTop { get; }

    /// <summary>Wrapped column titles, one list of lines per column.</summary>
    public IReadOnlyList<IReadOnlyList<string>> HeaderLines { get; }

    /// <summary>Top-left pixel of the cell in <paramref name="row"/> (sample) and <paramref name="column"/> (0 … 3).</summary>
    public (int X, int Y) CellOrigin(int row, int column) =>
        (Margin + column * (CellSize + Gap), RowsTop + row * (CellSize + Gap));

    /// <summary>The layout for these samples; all images must have the same side.</summary>
    public static MaskingGridLayout For(IReadOnlyList<MaskingSample> samples, MaskingGridOptions options)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("a masking grid needs at least one sample", nameof(samples));
        }
        int size = Raster.SideOf(samples[0].Image, nameof(samples));
        if (samples.Any(s => Raster.SideOf(s.Image, nameof(samples)) != size))
        {
            throw new ArgumentException("all images of a masking grid must have the same size", nameof(samples));
        }
        return new MaskingGridLayout(options, samples.Count, size, MaskingGrid.Legend(options));
    }
}
