namespace AmtSharp.Reporting;

/// <summary>Appearance of a <see cref="LineChart"/>.</summary>
public sealed record LineChartOptions
{
    public int Width { get; init; } = 800;

    public int Height { get; init; } = 500;

    public string Title { get; init; } = "";

    public string XLabel { get; init; } = "";

    public string YLabel { get; init; } = "";

    /// <summary>Logarithmic y axis (points with y ≤ 0 are skipped).</summary>
    public bool LogY { get; init; }

    /// <summary>Colours of the series in order (repeated when there are more series).</summary>
    public IReadOnlyList<Rgb> Palette { get; init; } = ChartPalette.Default;

    /// <summary>Draw a dot at every point when a series has at most this many points.</summary>
    public int MaxPointsWithMarkers { get; init; } = 30;

    /// <summary>Vertical marker lines, drawn under the series.</summary>
    public IReadOnlyList<ChartMarker> Markers { get; init; } = [];

    /// <summary>Text pixel scale of the built-in font.</summary>
    public int TextScale { get; init; } = 2;
}
