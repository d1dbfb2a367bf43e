namespace AmtSharp.Reporting;

/// <summary>A picture in a report: its file (absolute, or relative to the report folder) and caption.</summary>
public sealed record ReportFigure(string Path, string Caption);

/// <summary>
/// A titled group of figures with an optional paragraph of text and an optional table (one row per dictionary,
/// columns in order of first appearance), shown before the figures.
/// </summary>
public sealed record ReportSection(string Heading, IReadOnlyList<ReportFigure> Figures, string? Text = null,
    IReadOnlyList<IReadOnlyDictionary<string, object?>>? Table = null);

/// <summary>
/// Everything a report shows: title, run summary (key/value rows), metrics (one row per dictionary, columns in
/// order of first appearance) and figure sections.
/// </summary>
public sealed record ReportDocument(
    string Title,
    IReadOnlyList<(string Key, string Value)> Summary,
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Metrics,
    IReadOnlyList<ReportSection> Sections);
