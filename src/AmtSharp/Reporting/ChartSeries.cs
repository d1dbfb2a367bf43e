namespace AmtSharp.Reporting;

/// <summary>A named line of (x, y) points; non-finite points (and y ≤ 0 on a log axis) break the line.</summary>
/// <param name="Name">Legend label.</param>
/// <param name="Points">The points in drawing order.</param>
/// <param name="LineWidth">Stroke width in pixels (thin lines suit dense per-step curves).</param>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, float LineWidth = 2)
{
    /// <summary>A series with x = 1, 2, 3, … (e.g. one value per epoch).</summary>
    public static ChartSeries FromValues(string name, IEnumerable<double> values) =>
        new(name, [.. values.Select((v, i) => ((double)(i + 1), v))]);
}

/// <summary>A vertical line across the plot at <paramref name="X"/> (e.g. "AMT starts"), listed once per label in the legend.</summary>
public sealed record ChartMarker(double X, string Label, Rgb Color, bool Dashed = false);
