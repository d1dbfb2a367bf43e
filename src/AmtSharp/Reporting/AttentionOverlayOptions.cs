namespace AmtSharp.Reporting;

/// <summary>Appearance of an <see cref="AttentionOverlay"/> grid.</summary>
public sealed record AttentionOverlayOptions
{
    public string? Title { get; init; }

    /// <summary>Cells per row of the grid.</summary>
    public int Columns { get; init; } = 4;

    /// <summary>Images are enlarged (nearest neighbour, integer factor) until a cell is at least this wide.</summary>
    public int MinCellSize { get; init; } = 128;

    public Colormap Colormap { get; init; } = Colormap.Jet;

    public MapScaling Scaling { get; init; } = MapScaling.MinMax;

    public UpsampleMode Upsample { get; init; } = UpsampleMode.Bilinear;

    /// <summary>Opacity of the coloured attention over the image.</summary>
    public float Opacity { get; init; } = 0.5f;

    /// <summary>Brightness factor of the image under the attention.</summary>
    public float ImageDim { get; init; } = 0.8f;

    public Rgb ContourColor { get; init; } = new(1f, 1f, 1f);

    /// <summary>Thickness of the foreground outline in output pixels.</summary>
    public int ContourWidth { get; init; } = 2;

    /// <summary>Text pixel scale of the built-in font.</summary>
    public int TextScale { get; init; } = 2;
}
