namespace AmtSharp.Reporting;

/// <summary>Writes report.md and report.html for a <see cref="ReportDocument"/> into a folder.</summary>
public static class ReportWriter
{
    public const string MarkdownFileName = "report.md";
    public const string HtmlFileName = "report.html";

    /// <summary>
    /// Writes both files (creating the folder); absolute figure paths are made relative to it so the folder can
    /// be moved as a whole. Returns the two file paths.
    /// </summary>
    public static (string MarkdownPath, string HtmlPath) Write(string folder, ReportDocument report)
    {
        Directory.CreateDirectory(folder);
        string root = Path.GetFullPath(folder);
        var relative = report with
        {
            Sections = [.. report.Sections.Select(s => s with
            {
                Figures = [.. s.Figures.Select(f => f with { Path = Relative(root, f.Path) })],
            })],
        };
        string markdownPath = Path.Combine(root, MarkdownFileName);
        string htmlPath = Path.Combine(root, HtmlFileName);
        File.WriteAllText(markdownPath, MarkdownReport.Render(relative));
        File.WriteAllText(htmlPath, HtmlReport.Render(relative));
        return (markdownPath, htmlPath);
    }

    private static string Relative(string root, string path) =>
        (Path.IsPathRooted(path) ? Path.GetRelativePath(root, path) : path).Replace('\\', '/');
}
