using System.Globalization;
using System.Text;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Cli.Commands;

/// <summary>The demo's Markdown report.</summary>
internal static class DemoReport
{
    public static string Write(Pretrainer trainer, PretrainConfig config, PretrainResult result,
        FrozenEvaluationResult trained, FrozenEvaluationResult atInit, DemoSettings s)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# AmtSharp demo: MAE + AMT on the embedded synthetic dataset").AppendLine();
        md.AppendLine(inv, $"- Encoder: ViT {config.Encoder.Width} wide, {config.Encoder.Depth} blocks, {config.Encoder.Heads} heads, patch {config.Encoder.PatchSize} at {config.Encoder.ImageSize} px");
        md.AppendLine(inv, $"- AMT: mask ratio {config.Amt!.MaskRatio}, throw ratio {config.Amt.ThrowRatio}, random {config.Amt.WarmupMaskRatio} until epoch {trainer.Schedule!.StartEpoch}, prior refreshed after epochs {string.Join(", ", trainer.Schedule.RefreshEpochs)}");
        md.AppendLine(inv, $"- Data: {s.TrainImages} training and {s.TestImages} test images, seed {s.Seed}");
        md.AppendLine(inv, $"- Time: {result.TrainSeconds:F0} s training, {result.RefreshSeconds:F0} s prior refreshes").AppendLine();
        md.AppendLine("## Frozen-encoder evaluation (test split)").AppendLine();
        md.AppendLine("| encoder | linear probe top-1 | linear probe top-5 | kNN top-1 |");
        md.AppendLine("|---|---|---|---|");
        md.AppendLine(inv, $"| at initialisation | {atInit.Probe!.Top1:P1} | {atInit.Probe.Top5:P1} | {atInit.Knn!.Top1:P1} |");
        md.AppendLine(inv, $"| after MAE + AMT | {trained.Probe!.Top1:P1} | {trained.Probe.Top5:P1} | {trained.Knn!.Top1:P1} |").AppendLine();
        md.AppendLine("## Pretraining, per epoch").AppendLine();
        md.AppendLine("| epoch | loss | masking | encoder / decoder tokens | img/s | prior entropy (share of max) | top-quartile patches masked / thrown / visible |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var e in result.Epochs)
        {
            string prior = e.Prior is { } p ? p.MeanEntropyFraction.ToString("P1", inv) : "";
            string diag = e.MaskingDiagnostics is { } d ? string.Format(inv, "{0:P0} / {1:P0} / {2:P0}", d.TopQuartileMasked, d.TopQuartileThrown, d.TopQuartileVisible) : "";
            md.AppendLine(inv, $"| {e.Epoch + 1} | {e.Loss:F4} | {e.Masking} | {e.EncoderTokens} / {e.DecoderTokens} | {e.ImagesPerSecond:F0} | {prior} | {diag} |");
        }
        string path = trainer.Run!.PathOf("report.md");
        File.WriteAllText(path, md.ToString());
        return path;
    }
}
