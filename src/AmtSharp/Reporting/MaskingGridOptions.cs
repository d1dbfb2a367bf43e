namespace AmtSharp.Reporting;

/// <summary>Appearance of a <see cref="MaskingGrid"/>.</summary>
public sealed record MaskingGridOptions
{
    public string? Title { get; init; }

    /// <summary>Images are enlarged (nearest neighbour, integer factor) until a cell is at least this wide.</summary>
    public int MinCellSize { get; init; } = 192;

    public string ImageTitle { get; init; } = "image";

    public string PriorTitle { get; init; } = "prior";

    public string MaskTitle { get; init; } = "mask plan";

    /// <summary>
    /// Title of the reconstruction column; use <see cref="NormPixDenormalizer.ColumnTitle"/> for norm-pix MAE
    /// predictions shown with the true patches' statistics.
    /// </summary>
    public string ReconstructionTitle { get; init; } = "reconstruction";

    public Colormap PriorColormap { get; init; } = Colormap.Inferno;

    public MapScaling PriorScaling { get; init; } = MapScaling.Raw;

    public UpsampleMode PriorUpsample { get; init; } = UpsampleMode.Nearest;

    /// <summary>Opacity of the coloured prior over the image.</summary>
    public float PriorOpacity { get; init; } = 0.65f;

    /// <summary>Brightness factor of the image under the prior.</summary>
    public float PriorImageDim { get; init; } = 0.5f;

    public MaskStyle Style { get; init; } = new();

    /// <summary>Text pixel scale of the built-in font for title and legend.</summary>
    public int TextScale { get; init; } = 2;
}
