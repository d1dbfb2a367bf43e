using System.Globalization;

namespace AmtSharp.Reporting;

/// <summary>A list of metric dictionaries as a rectangular table of strings.</summary>
public sealed class MetricsTable
{
    public MetricsTable(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        var columns = new List<string>();
        foreach (var key in rows.SelectMany(r => r.Keys))
        {
            if (!columns.Contains(key))
            {
                columns.Add(key);
            }
        }
        Columns = columns;
        Rows = [.. rows.Select(r => (IReadOnlyList<string>)[.. columns.Select(c => r.TryGetValue(c, out var v) ? Format(v) : "")])];
    }

    /// <summary>Keys in order of first appearance.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Cells per row; a key missing from a row gives an empty cell.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>Invariant-culture text: floating point with up to 6 significant digits, null as empty.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
