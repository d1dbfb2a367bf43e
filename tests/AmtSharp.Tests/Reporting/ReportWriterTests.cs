using AmtSharp.Reporting;
using Xunit;

namespace AmtSharp.Tests.Reporting;

public sealed class ReportWriterTests : IDisposable
{
    private readonly string _folder = ReportingTestData.TempFolder();

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private ReportDocument Document() => new(
        "AMT <MAE> & friends",
        [("model", "vit_tiny|p4"), ("note", "a <b>bold</b> \"claim\"")],
        [
            new Dictionary<string, object?> { ["epoch"] = 1, ["loss"] = 0.123456789 },
            new Dictionary<string, object?> { ["epoch"] = 2, ["knn_top1"] = 41.5f },
        ],
        [
            new ReportSection("Curves", [new ReportFigure(Path.Combine(_folder, "figures", "loss.png"), "Loss <log> & more")], "Text with *stars*"),
            new ReportSection("Masks", [new ReportFigure("masks/grid 1.png", "grid")]),
        ]);

    [Fact]
    public void WritesBothFilesWithRelativeFigurePaths()
    {
        var (md, html) = ReportWriter.Write(_folder, Document());
        Assert.Equal(Path.Combine(Path.GetFullPath(_folder), "report.md"), md);
        string markdown = File.ReadAllText(md);
        string page = File.ReadAllText(html);
        Assert.Contains("](figures/loss.png)", markdown);
        Assert.Contains("](masks/grid%201.png)", markdown);
        Assert.Contains("src=\"figures/loss.png\"", page);
        Assert.Contains("src=\"masks/grid%201.png\"", page);
        Assert.DoesNotContain(_folder, page);
    }

    [Fact]
    public void HtmlEscapesAllText()
    {
        ReportWriter.Write(_folder, Document());
        string page = File.ReadAllText(Path.Combine(_folder, ReportWriter.HtmlFileName));
        Assert.Contains("<h1>AMT &lt;MAE&gt; &amp; friends</h1>", page);
        Assert.Contains("a &lt;b&gt;bold&lt;/b&gt; &quot;claim&quot;", page);
        Assert.Contains("<figcaption>Loss &lt;log&gt; &amp; more</figcaption>", page);
        Assert.DoesNotContain("<b>", page);
        Assert.DoesNotContain("<script", page);
        Assert.DoesNotContain("http", page);
    }

    [Fact]
    public void MarkdownEscapesAndTablesHaveAllColumns()
    {
        ReportWriter.Write(_folder, Document());
        string markdown = File.ReadAllText(Path.Combine(_folder, ReportWriter.MarkdownFileName));
        Assert.Contains("# AMT \\<MAE\\> & friends", markdown);
        Assert.Contains("| model | vit\\_tiny\\|p4 |", markdown);
        Assert.Contains("| epoch | loss | knn\\_top1 |", markdown);
        Assert.Contains("| 1 | 0.123457 |  |", markdown);
        Assert.Contains("| 2 |  | 41.5 |", markdown);
        Assert.Contains("Text with \\*stars\\*", markdown);
    }

    [Fact]
    public void HtmlOpensWithTheHeadlineAndPicturesAndCollapsesLongTablesAfterThem()
    {
        var epochs = Enumerable.Range(1, 40).Select(e => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["epoch"] = e, ["loss"] = 1.0 / e }).ToList();
        ReportWriter.Write(_folder, Document() with { Metrics = epochs });
        string page = File.ReadAllText(Path.Combine(_folder, ReportWriter.HtmlFileName));
        int summary = page.IndexOf("<h2>Run summary</h2>", StringComparison.Ordinal);
        int firstPicture = page.IndexOf("<img", StringComparison.Ordinal);
        int metrics = page.IndexOf("<h2>Metrics</h2>", StringComparison.Ordinal);
        Assert.True(summary >= 0 && summary < firstPicture, "the summary comes first");
        Assert.True(firstPicture < metrics, "pictures come before the metrics table");
        Assert.True(page.LastIndexOf("<img", StringComparison.Ordinal) < metrics, "every picture comes before the metrics table");
        // The 40-row table is collapsed; the two-row summary is not.
        Assert.Contains("<details><summary>per-epoch metrics: 40 rows</summary>", page);
        Assert.Equal(1, page.Split("<details>").Length - 1);
        string markdown = File.ReadAllText(Path.Combine(_folder, ReportWriter.MarkdownFileName));
        Assert.True(markdown.IndexOf("![", StringComparison.Ordinal) < markdown.IndexOf("## Metrics", StringComparison.Ordinal));
    }
}
