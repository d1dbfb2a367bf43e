using AmtSharp.Amt;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Reporting.Runs;

/// <summary>The curves of a run: pretraining loss, and linear-probe accuracy per probe epoch.</summary>
public static class RunCharts
{
    private static readonly Rgb StepColor = Rgb.FromBytes(150, 190, 230);
    private static readonly Rgb EpochColor = Rgb.FromBytes(20, 70, 160);
    private static readonly Rgb AmtStartColor = Rgb.FromBytes(214, 39, 40);
    private static readonly Rgb RefreshColor = Rgb.FromBytes(120, 120, 120);

    /// <summary>
    /// Per-iteration and per-epoch loss against epochs (x = epochs done), with the epoch AMT starts and the prior
    /// refreshes marked: the loss jumps there because the masking changes, not because training goes wrong.
    /// </summary>
    public static void WriteLoss(string path, IReadOnlyList<StepRow> steps, IReadOnlyList<EpochReport> epochs,
        int batchesPerEpoch, AmtSchedule? schedule, string title)
    {
        var series = new List<ChartSeries>
        {
            new("loss per iteration", [.. steps.Select(s => ((double)s.Iteration / batchesPerEpoch, s.Loss))], 1),
            new("loss, epoch mean", [.. epochs.Select(e => (e.Epoch + 1.0, e.Loss))], 2.5f),
        };
        var markers = new List<ChartMarker>();
        if (schedule is not null)
        {
            markers.AddRange(schedule.RefreshEpochs.Select(e => new ChartMarker(e + 1.0, "prior refresh", RefreshColor, Dashed: true)));
            markers.Add(new ChartMarker(schedule.StartEpoch, $"AMT starts (epoch {schedule.StartEpoch + 1})", AmtStartColor));
        }
        LineChart.Write(path, series, new LineChartOptions
        {
            Title = title,
            XLabel = "epoch",
            YLabel = "loss",
            Palette = [StepColor, EpochColor],
            Markers = markers,
            Width = 960,
        });
    }

    /// <summary>
    /// At each prior refresh, the share of the prior's top-quartile cells on the object (datasets that know their
    /// objects), with what cells picked at random would score.
    /// </summary>
    public static void WritePriorOnObject(string path, IReadOnlyList<EpochReport> epochs, string title)
    {
        var refreshes = epochs.Where(e => e.ForegroundOverlap is not null).ToList();
        LineChart.Write(path,
        [
            new ChartSeries("top-quartile prior cells on the object", [.. refreshes.Select(e => (e.Epoch + 1.0, 100 * e.ForegroundOverlap!.TopQuartileForeground))], 2.5f),
            new ChartSeries("chance (object share of all cells)", [.. refreshes.Select(e => (e.Epoch + 1.0, 100 * e.ForegroundOverlap!.ForegroundShare))], 1.5f),
        ], new LineChartOptions
        {
            Title = title,
            XLabel = "epoch (prior computed after it)",
            YLabel = "% of cells",
            Palette = [EpochColor, ChartPalette.Default[7]],
            Width = 960,
        });
    }

    /// <summary>Test top-1 after every probe epoch, one line per encoder, with chance level.</summary>
    public static void WriteProbeAccuracy(string path, IReadOnlyList<(string Label, IReadOnlyList<ProbeEpochMetrics> Epochs)> curves,
        int classes, string title)
    {
        var series = curves.Select(c => new ChartSeries($"probe top-1, {c.Label}",
            [.. c.Epochs.Select(e => (e.Epoch + 1.0, 100 * e.TestTop1))])).ToList();
        int last = Math.Max(1, curves.SelectMany(c => c.Epochs).Select(e => e.Epoch + 1).DefaultIfEmpty(1).Max());
        if (classes > 0)
        {
            series.Add(new ChartSeries($"chance (1/{classes})", [(1.0, 100.0 / classes), (last, 100.0 / classes)], 1.5f));
        }
        LineChart.Write(path, series, new LineChartOptions
        {
            Title = title,
            XLabel = "probe epoch",
            YLabel = "test top-1 accuracy (%)",
            Palette = [.. curves.Select((_, i) => ChartPalette.Default[i % 7]), ChartPalette.Default[7]],
            Width = 960,
        });
    }
}
