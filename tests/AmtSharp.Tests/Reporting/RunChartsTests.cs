using AmtSharp.Reporting;
using AmtSharp.Reporting.Runs;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Reporting;

public sealed class RunChartsTests
{
    [Fact]
    public void MarkersAreDrawnAsVerticalLinesAndListedOnceInTheLegend()
    {
        var red = Rgb.FromBytes(214, 39, 40);
        var series = new[] { ChartSeries.FromValues("loss", [3, 2, 1.5, 1.2]) };
        var options = new LineChartOptions { Markers = [new ChartMarker(2, "AMT starts", red), new ChartMarker(3, "refresh", red, Dashed: true), new ChartMarker(4, "refresh", red, Dashed: true)] };
        using var with = LineChart.Render(series, options);
        using var without = LineChart.Render(series, new LineChartOptions());
        int Red(SKBitmap b) => Enumerable.Range(0, b.Width).Sum(x => Enumerable.Range(0, b.Height).Count(y => b.GetPixel(x, y) == red.ToColor()));
        Assert.Equal(0, Red(without));
        // A solid line spans the plot height; the dashed ones cover about 60 % of it; legend samples add a little.
        int columns = Enumerable.Range(0, with.Width).Count(x => Enumerable.Range(0, with.Height).Count(y => with.GetPixel(x, y) == red.ToColor()) > 200);
        Assert.InRange(columns, 1, 4);
        Assert.True(Red(with) > 3 * 200);
    }

    [Fact]
    public void StepLogKeepsRowsUpToTheResumePointAndDropsTheRest()
    {
        using var dir = new TestUtil.TempDir();
        string path = Path.Combine(dir.Path, "steps.csv");
        using (var log = new StepLog(path))
        {
            log.StartAt(0);
            for (int i = 1; i <= 5; i++)
            {
                log.Add(new StepRow(i, 1.0 / i, 1e-3, 100));
            }
        }
        using (var resumed = new StepLog(path))
        {
            resumed.StartAt(3);                                      // the checkpoint was at iteration 3
            resumed.Add(new StepRow(4, 0.9, 1e-3, 100));
        }
        var rows = StepLog.Read(path);
        Assert.Equal([1L, 2, 3, 4], rows.Select(r => r.Iteration));
        Assert.Equal(0.9, rows[^1].Loss);
        Assert.Equal(1.0 / 3, rows[2].Loss);
    }

    [Fact]
    public void SectionTablesAppearInBothReportFormats()
    {
        using var dir = new TestUtil.TempDir();
        var table = new List<IReadOnlyDictionary<string, object?>> { new Dictionary<string, object?> { ["encoder"] = "trained", ["kNN top-1"] = "42.0 %" } };
        var report = new ReportDocument("t", [], [], [new ReportSection("Evaluation", [], "text", table)]);
        var (md, html) = ReportWriter.Write(dir.Path, report);
        Assert.Contains("| trained | 42.0 % |", File.ReadAllText(md));
        Assert.Contains("<td>trained</td><td>42.0 %</td>", File.ReadAllText(html));
    }
}
