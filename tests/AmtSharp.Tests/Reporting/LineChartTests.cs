using AmtSharp.Reporting;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Reporting;

public sealed class LineChartTests : IDisposable
{
    private readonly string _folder = ReportingTestData.TempFolder();

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static int CountColour(SKBitmap bitmap, SKColor colour)
    {
        int n = 0;
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                n += Math.Abs(c.Red - colour.Red) + Math.Abs(c.Green - colour.Green) + Math.Abs(c.Blue - colour.Blue) < 12 ? 1 : 0;
            }
        }
        return n;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WritesDecodablePngOfRequestedSizeWithEachSeriesColour(bool logY)
    {
        var loss = ChartSeries.FromValues("train", [2.0, 1.0, double.NaN, 0.5, 0.2, 0.1]);
        var val = new ChartSeries("val", [(1, 1.5), (3, 0.7), (6, 0.15)]);
        var options = new LineChartOptions { Width = 640, Height = 400, Title = "loss", XLabel = "epoch", YLabel = "loss", LogY = logY };
        string path = Path.Combine(_folder, "loss.png");
        LineChart.Write(path, [loss, val], options);
        using var decoded = SKBitmap.Decode(path);
        Assert.NotNull(decoded);
        Assert.Equal((640, 400), (decoded.Width, decoded.Height));
        Assert.True(CountColour(decoded, ChartPalette.Default[0].ToColor()) > 100);
        Assert.True(CountColour(decoded, ChartPalette.Default[1].ToColor()) > 100);
    }

    [Fact]
    public void EmptyNaNAndNonPositiveLogSeriesDoNotThrow()
    {
        var series = new[]
        {
            new ChartSeries("empty", []),
            ChartSeries.FromValues("nan", [double.NaN, double.PositiveInfinity]),
            ChartSeries.FromValues("zeros", [0.0, -1.0]),
        };
        using var linear = LineChart.Render(series);
        using var log = LineChart.Render(series, new LineChartOptions { LogY = true });
        using var none = LineChart.Render([]);
        Assert.Equal(800, log.Width);
        Assert.Equal(500, none.Height);
    }

    [Fact]
    public void LogAxisTicksArePowersOfTenCoveringTheData()
    {
        var axis = AxisScale.Log([0.03, 0.5, 7.0]);
        Assert.Equal(0.01, axis.Min, 12);
        Assert.Equal(10, axis.Max, 12);
        Assert.Contains(axis.Ticks, t => t.Label == "0.1");
        Assert.Equal(0.5, axis.Fraction(Math.Sqrt(0.01 * 10)), 9);
        Assert.True(double.IsNaN(axis.Fraction(0)));
    }

    [Fact]
    public void LinearAxisHasRoundTicksAroundTheData()
    {
        var axis = AxisScale.Linear([0.13, 0.87]);
        Assert.True(axis.Min <= 0.13 && axis.Max >= 0.87);
        Assert.Equal(["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"], axis.Ticks.Select(t => t.Label));
        var flat = AxisScale.Linear([3.0, 3.0]);
        Assert.True(flat.Max > flat.Min);
    }
}
