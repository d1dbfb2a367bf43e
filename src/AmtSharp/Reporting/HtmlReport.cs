using System.Net;
using System.Text;

namespace AmtSharp.Reporting;

/// <summary>
/// Renders a <see cref="ReportDocument"/> as one self-contained HTML page (inline style, no scripts, images by
/// relative path); all text is HTML-escaped. A reader sees the headline numbers (the summary) and the pictures first;
/// the per-epoch metrics and any other long table come after, collapsed.
/// </summary>
public static class HtmlReport
{
    /// <summary>Tables with more rows than this are collapsed behind a summary line.</summary>
    public const int LongTableRows = 8;

    private const string Style =
        "body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#222}" +
        "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 10px;text-align:left}" +
        "th{background:#eee}figure{margin:1.5em 0}img{max-width:100%;image-rendering:pixelated;border:1px solid #ddd}" +
        "figcaption{color:#555;font-style:italic;margin-top:.3em}details{margin:1em 0}summary{cursor:pointer;font-weight:bold}";

    public static string Render(ReportDocument report)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\">").AppendLine("<head>");
        html.AppendLine("<meta charset=\"utf-8\">");
        html.Append("<title>").Append(E(report.Title)).AppendLine("</title>");
        html.Append("<style>").Append(Style).AppendLine("</style>").AppendLine("</head>").AppendLine("<body>");
        html.Append("<h1>").Append(E(report.Title)).AppendLine("</h1>");
        if (report.Summary.Count > 0)
        {
            html.AppendLine("<h2>Run summary</h2>");
            AppendTable(html, ["key", "value"], [.. report.Summary.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value])]);
        }
        foreach (var section in report.Sections)
        {
            html.Append("<h2>").Append(E(section.Heading)).AppendLine("</h2>");
            if (!string.IsNullOrWhiteSpace(section.Text))
            {
                html.Append("<p>").Append(E(section.Text)).AppendLine("</p>");
            }
            foreach (var figure in section.Figures)
            {
                html.Append("<figure><img src=\"").Append(E(MarkdownText.Url(figure.Path))).Append("\" alt=\"")
                    .Append(E(figure.Caption)).Append("\"><figcaption>").Append(E(figure.Caption)).AppendLine("</figcaption></figure>");
            }
            if (section.Table is { Count: > 0 } rows)
            {
                AppendTable(html, new MetricsTable(rows), section.Heading);
            }
        }
        if (report.Metrics.Count > 0)
        {
            html.AppendLine("<h2>Metrics</h2>");
            AppendTable(html, new MetricsTable(report.Metrics), "per-epoch metrics");
        }
        html.AppendLine("</body>").AppendLine("</html>");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    // A short table is shown as it is; a long one inside <details>, so it does not push the pictures down.
    private static void AppendTable(StringBuilder html, MetricsTable table, string what)
    {
        bool collapse = table.Rows.Count > LongTableRows;
        if (collapse)
        {
            html.Append("<details><summary>").Append(E($"{what}: {table.Rows.Count} rows")).AppendLine("</summary>");
        }
        AppendTable(html, table.Columns, table.Rows);
        if (collapse)
        {
            html.AppendLine("</details>");
        }
    }

    private static void AppendTable(StringBuilder html, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        html.Append("<table><thead><tr>").AppendJoin("", header.Select(h => $"<th>{E(h)}</th>")).AppendLine("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{E(c)}</td>")).AppendLine("</tr>");
        }
        html.AppendLine("</tbody></table>");
    }
}
