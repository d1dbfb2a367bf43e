using System.Globalization;
using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Reporting.Runs;

/// <summary>Frozen-encoder evaluations to put in a report: the trained encoder and, optionally, the same encoder at initialisation.</summary>
/// <param name="Trained">The trained encoder's probe and kNN.</param>
/// <param name="AtInit">The same encoder's at initialisation.</param>
/// <param name="PriorOnObject">Where the source knows its objects: how well the AMT prior of the trained encoder and of
/// the encoder at initialisation points at them.</param>
/// <param name="RawPixels">A linear probe on the raw pixels, the floor no encoder is needed for.</param>
/// <param name="Pooling">How the encoders' features were pooled for the probe and kNN.</param>
public sealed record EvaluationSummary(FrozenEvaluationResult Trained, FrozenEvaluationResult? AtInit,
    (ForegroundOverlap Trained, ForegroundOverlap AtInit)? PriorOnObject = null, FrozenEvaluationResult? RawPixels = null,
    FeaturePooling Pooling = FeaturePooling.Cls)
{
    /// <summary>How the encoder's features were pooled, as the report's labels say it.</summary>
    public string FeaturesLabel => Pooling == FeaturePooling.MeanPatch ? " (mean-patch features)" : " ([CLS] features)";
}

/// <summary>
/// report.md and report.html of a pretraining run: the configuration, the per-epoch metrics, the loss curve, masking
/// grids and attention overlays from the run's snapshots and, when given, the linear probe and kNN beside the
/// encoder at initialisation.
/// </summary>
public static class PretrainReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static (string MarkdownPath, string HtmlPath) Write(Pretrainer trainer, RunReporter reporter, PretrainResult result,
        string title, EvaluationSummary? evaluation = null)
    {
        var run = trainer.Run ?? throw new ArgumentException("the trainer has no run folder", nameof(trainer));
        reporter.WriteLossChart();
        var sections = new List<ReportSection>();
        if (evaluation is not null)
        {
            sections.Add(EvaluationSection(trainer.Config, evaluation, reporter.Evaluation.ChartPath));
        }
        sections.Add(new ReportSection("Pretraining loss",
            [new ReportFigure(reporter.LossChartPath, "Loss per iteration (light) and epoch mean (dark) against epochs; "
                + "the red line is where AMT starts, dashed lines are prior refreshes.")],
            trainer.Schedule is null ? null
                : "With AMT the loss changes level where the masking changes: fewer, harder patches are reconstructed and the thrown ones leave the loss."));
        var snapshots = reporter.Snapshots;
        if (snapshots.Count > 0)
        {
            sections.Add(MaskingSection(trainer, snapshots, reporter));
            sections.Add(AttentionSection(snapshots, reporter.PriorOnObjectChartPath));
        }
        sections.Add(new ReportSection("Files", [],
            $"TensorBoard: {RunReporter.TensorBoardFolder}/ (tensorboard --logdir {reporter.TensorBoardPath}); per-iteration loss: "
            + $"{RunReporter.StepLogFile}; per-epoch metrics: metrics.jsonl; all snapshots: "
            + string.Join(", ", snapshots.Select(s => Path.GetFileName(s.MaskingPath))) + " and the matching attention-epoch files."));
        var document = new ReportDocument(title, Summary(trainer, reporter, result, evaluation), EpochRows(reporter.History()), sections);
        return ReportWriter.Write(run.Path, document);
    }

    private static List<(string, string)> Summary(Pretrainer trainer, RunReporter reporter, PretrainResult result, EvaluationSummary? evaluation)
    {
        var c = trainer.Config;
        var e = c.Encoder;
        var rows = new List<(string, string)>
        {
            ("method", c.Method == MimMethod.Mae ? $"MAE ({(c.NormPixLoss ? "norm-pix" : "pixel")} targets), decoder width {c.DecoderWidth}, depth {c.DecoderDepth}" : "SimMIM (L1 on pixels)"),
            ("encoder", $"ViT width {e.Width}, depth {e.Depth}, {e.Heads} heads, patch {e.PatchSize} at {e.ImageSize} px ({e.GridSize}x{e.GridSize} patches)"),
            ("masking", Masking(trainer)),
            ("data", DataRow(trainer)),
            ("training", string.Create(Inv, $"{c.Epochs} epochs, batch {c.EffectiveBatch}, base lr {c.BaseLr:G3} (lr {c.BaseLr * c.EffectiveBatch / 256:G3}), warm-up {c.WarmupEpochs:G3} epoch(s), seed {c.Seed}")),
            ("time", string.Create(Inv, $"{result.TrainSeconds:F0} s training + {result.RefreshSeconds:F0} s prior refreshes + {reporter.Seconds:F0} s logs and pictures")),
            ("final loss", result.FinalLoss.ToString("F4", Inv)),
        };
        if (result.Checkpoint is { } checkpoint)
        {
            rows.Add(("checkpoint", Path.GetRelativePath(trainer.Run!.Path, checkpoint)));
        }
        if (evaluation is not null)
        {
            var t = evaluation.Trained;
            rows.Add(("linear probe top-1" + evaluation.FeaturesLabel, Percent(t.Probe?.Top1) + (evaluation.AtInit is { } i ? $" (at initialisation {Percent(i.Probe?.Top1)}" +
                (evaluation.RawPixels is { } r ? $", on raw pixels {Percent(r.Probe?.Top1)})" : ")") : "")));
            rows.Add(("kNN top-1" + evaluation.FeaturesLabel, Percent(t.Knn?.Top1) + (evaluation.AtInit is { } j ? $" (at initialisation {Percent(j.Knn?.Top1)})" : "")));
            if (evaluation.PriorOnObject is var (trained, atInit))
            {
                rows.Add(("prior on the object", $"{Overlap(trained)} of the top-quartile prior cells are on the object; at initialisation {Overlap(atInit)}"));
            }
        }
        return rows;
    }

    // Where the data came from, and how many images training really used (skipped ones are not counted).
    private static string DataRow(Pretrainer trainer)
    {
        int skipped = trainer.Skipped.Count;
        string used = $"{trainer.Source.Count - skipped} training images used" + (skipped > 0 ? $" ({skipped} skipped as unreadable)" : "");
        return trainer.Data is { } d
            ? $"{d.Title} ({d.Format}{(d.Root is null ? "" : $", {d.Root}")}); {string.Join("; ", d.Splits)}; {used}"
            : $"{trainer.Source.Name}; {used}";
    }

    private static string Masking(Pretrainer trainer)
    {
        var c = trainer.Config;
        if (trainer.Schedule is not { } s)
        {
            return string.Create(Inv, $"random, mask ratio {c.MaskRatio}");
        }
        var amt = s.Config;
        return string.Create(Inv,
            $"AMT ({amt.Variant}): mask ratio {amt.MaskRatio}, throw ratio {amt.ThrowRatio} = {amt.Counts(s.Grid.Cells)} cells of {s.Grid.Cells}; "
            + $"random {amt.WarmupMaskRatio} before epoch {s.StartEpoch + 1}; prior refreshed after epochs {string.Join(", ", s.RefreshEpochs.Select(x => x + 1))}");
    }

    private static List<IReadOnlyDictionary<string, object?>> EpochRows(IReadOnlyList<EpochReport> epochs) =>
        [.. epochs.Select(e => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["epoch"] = e.Epoch + 1,
            ["loss"] = Math.Round(e.Loss, 4),
            ["lr"] = e.Lr.ToString("G3", Inv),
            ["img/s"] = Math.Round(e.ImagesPerSecond),
            ["masking"] = e.Masking,
            ["encoder / decoder tokens"] = $"{e.EncoderTokens} / {e.DecoderTokens}",
            ["prior entropy (share of max)"] = e.Prior is { } p ? Percent(p.MeanEntropyFraction) : null,
            ["top-quartile prior cells on the object"] = e.ForegroundOverlap is { } o ? Overlap(o) : null,
            ["top-quartile patches masked / thrown / visible"] = e.MaskingDiagnostics is { } d
                ? $"{Percent(d.TopQuartileMasked, 0)} / {Percent(d.TopQuartileThrown, 0)} / {Percent(d.TopQuartileVisible, 0)}"
                : null,
        })];

    private static ReportSection EvaluationSection(PretrainConfig config, EvaluationSummary evaluation, string? chart)
    {
        string method = (config.Method == MimMethod.Mae ? "MAE" : "SimMIM") + (config.Amt is null ? "" : " + AMT");
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        if (evaluation.RawPixels is { } raw)
        {
            rows.Add(Row("raw pixels (no encoder)", raw));
        }
        if (evaluation.AtInit is { } init)
        {
            rows.Add(Row("at initialisation", init));
        }
        rows.Add(Row($"after {method}", evaluation.Trained));
        var t = evaluation.Trained;
        string text = $"Frozen encoder, {evaluation.FeaturesLabel.Trim(' ', '(', ')')}; linear probe (BatchNorm + linear, LARS) and weighted kNN (k = 20) trained on "
            + $"{t.TrainImages} training images, measured on {t.TestImages} test images of {t.Classes} classes (chance {Percent(1.0 / t.Classes)}).";
        var figures = chart is null ? new List<ReportFigure>()
            : [new ReportFigure(chart, "Linear-probe test top-1 after every probe epoch.")];
        return new ReportSection("Frozen-encoder evaluation (test split)", figures, text, rows);
    }

    private static Dictionary<string, object?> Row(string encoder, FrozenEvaluationResult r) => new()
    {
        ["encoder"] = encoder,
        ["linear probe top-1"] = Percent(r.Probe?.Top1),
        ["linear probe top-5"] = Percent(r.Probe?.Top5),
        ["kNN top-1"] = Percent(r.Knn?.Top1),
        ["kNN top-5"] = Percent(r.Knn?.Top5),
    };

    private static ReportSection MaskingSection(Pretrainer trainer, IReadOnlyList<SnapshotFiles> snapshots, RunReporter reporter)
    {
        var chosen = new List<SnapshotFiles>();
        if (trainer.Schedule is { } s && snapshots.FirstOrDefault(x => x.EpochsDone == s.StartEpoch) is { } firstAmt)
        {
            chosen.Add(firstAmt);
        }
        else
        {
            chosen.Add(snapshots[0]);
        }
        if (snapshots[^1] != chosen[0])
        {
            chosen.Add(snapshots[^1]);
        }
        string text = "Rows are fixed training images (whole image, no augmentation). Columns: the image; the AMT prior the plan "
            + "was drawn from (last-block [CLS] attention, stretched per image; n/a before the first prior); the mask plan - "
            + "masked patches solid blue (reconstructed), thrown patches dark with red hatching (removed from encoder, decoder "
            + "and loss), visible patches as they are; the reconstruction - visible patches as they are, masked ones predicted, "
            + "thrown ones grey. " + ReconstructionNote(trainer.Config, reporter.Statistics);
        return new ReportSection("Masking plans and reconstructions",
            [.. chosen.Select(x => new ReportFigure(x.MaskingPath, Caption(x.EpochsDone, trainer.Config.Epochs, "masking grid")))], text);
    }

    private static string ReconstructionNote(PretrainConfig config, NormPixStatistics statistics)
    {
        if (config.Method != MimMethod.Mae)
        {
            return "SimMIM predicts pixels directly; they are shown as predicted.";
        }
        if (!config.NormPixLoss)
        {
            return "This MAE predicts plain pixels; they are shown as predicted.";
        }
        return "MAE predicts per-patch normalised pixels (norm-pix); they are turned back into pixels with "
            + (statistics == NormPixStatistics.TruePatch
                ? "the mean and variance of the true patch, which the model never saw: colour and contrast come from the hidden patch, only the pattern within it from the model."
                : "the mean of the means and variances of the nearest visible patches, i.e. only what the model saw.");
    }

    private static ReportSection AttentionSection(IReadOnlyList<SnapshotFiles> snapshots, string? priorOnObjectChart)
    {
        var chosen = snapshots.Count > 1 ? new[] { snapshots[0], snapshots[^1] } : [snapshots[0]];
        var figures = chosen.Select(x => new ReportFigure(x.AttentionPath, Caption(x.EpochsDone, -1, "last-block [CLS] attention, mean of heads"))).ToList();
        if (priorOnObjectChart is not null)
        {
            figures.Add(new ReportFigure(priorOnObjectChart, "Share of the top quartile of each prior's cells that lie on the object, at every refresh, against chance."));
        }
        return new ReportSection("Attention",
            [.. figures],
            "The encoder's last-block [CLS] attention over the same images (what the next prior refresh would store), "
            + "stretched per image; white outlines mark the true object where the dataset knows it (synthetic shapes).");
    }

    private static string Caption(int epochsDone, int epochs, string what) =>
        epochsDone == 0 ? $"{what} at initialisation" : $"{what} after epoch {epochsDone}{(epochs > 0 ? $" of {epochs}" : "")}";

    private static string Overlap(ForegroundOverlap o) => string.Create(Inv, $"{Percent(o.TopQuartileForeground)} ({o.Lift:F2}x chance)");

    private static string Percent(double? value, int decimals = 1) =>
        value is double v ? (100 * v).ToString("F" + decimals, Inv) + " %" : "n/a";
}
