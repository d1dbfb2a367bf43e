namespace AmtSharp.Reporting;

/// <summary>Distinct line colours (close to matplotlib's tab10).</summary>
public static class ChartPalette
{
    public static IReadOnlyList<Rgb> Default { get; } =
    [
        Rgb.FromBytes(31, 119, 180), Rgb.FromBytes(255, 127, 14), Rgb.FromBytes(44, 160, 44),
        Rgb.FromBytes(214, 39, 40), Rgb.FromBytes(148, 103, 189), Rgb.FromBytes(140, 86, 75),
        Rgb.FromBytes(227, 119, 194), Rgb.FromBytes(127, 127, 127), Rgb.FromBytes(188, 189, 34),
        Rgb.FromBytes(23, 190, 207),
    ];
}
