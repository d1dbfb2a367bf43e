using System.Text;

namespace AmtSharp.Reporting;

/// <summary>
/// Renders a <see cref="ReportDocument"/> as Markdown (figure paths already relative to the report), in the HTML
/// report's order: summary, pictures, then the per-epoch metrics.
/// </summary>
public static class MarkdownReport
{
    public static string Render(ReportDocument report)
    {
        var md = new StringBuilder();
        md.Append("# ").AppendLine(MarkdownText.Escape(report.Title)).AppendLine();
        if (report.Summary.Count > 0)
        {
            md.AppendLine("## Run summary").AppendLine();
            AppendTable(md, ["key", "value"], [.. report.Summary.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value])]);
        }
        foreach (var section in report.Sections)
        {
            md.Append("## ").AppendLine(MarkdownText.Escape(section.Heading)).AppendLine();
            if (!string.IsNullOrWhiteSpace(section.Text))
            {
                md.AppendLine(MarkdownText.Escape(section.Text)).AppendLine();
            }
            foreach (var figure in section.Figures)
            {
                string caption = MarkdownText.Escape(figure.Caption);
                md.Append("![").Append(caption).Append("](").Append(MarkdownText.Url(figure.Path)).AppendLine(")").AppendLine();
                md.Append('*').Append(caption).AppendLine("*").AppendLine();
            }
            if (section.Table is { Count: > 0 } rows)
            {
                var table = new MetricsTable(rows);
                AppendTable(md, table.Columns, table.Rows);
            }
        }
        if (report.Metrics.Count > 0)
        {
            var table = new MetricsTable(report.Metrics);
            md.AppendLine("## Metrics").AppendLine();
            AppendTable(md, table.Columns, table.Rows);
        }
        return md.ToString();
    }

    private static void AppendTable(StringBuilder md, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        md.Append("| ").AppendJoin(" | ", header.Select(MarkdownText.Escape)).AppendLine(" |");
        md.Append('|').AppendJoin("", header.Select(_ => " --- |")).AppendLine();
        foreach (var row in rows)
        {
            md.Append("| ").AppendJoin(" | ", row.Select(MarkdownText.Escape)).AppendLine(" |");
        }
        md.AppendLine();
    }
}
