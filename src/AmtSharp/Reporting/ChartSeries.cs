namespace AmtSharp.Reporting;

/// <summary>A named line of (x, y) points; non-finite points (and y ≤ 0 on a log axis) break the line.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points)
{
    /// <summary>A series with x = 1, 2, 3, … (e.g. one value per epoch).</summary>
    public static ChartSeries FromValues(string name, IEnumerable<double> values) =>
        new(name, [.. values.Select((v, i) => ((double)(i + 1), v))]);
}
