using System.Globalization;
using System.Text;
using AmtSharp.Amt;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Experiments;

/// <summary>The Markdown results page of a comparison: budget, command, machine, times, accuracies, the paper's claim.</summary>
public static class ComparisonReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(string title, string command, string dataset, ComparisonBudget budget,
        IReadOnlyList<ComparisonArm> arms, IReadOnlyList<ArmResult> results)
    {
        var env = EnvironmentInfo.Capture();
        var vit = Cifar10Comparison.Encoder(budget);
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# {title}").AppendLine();
        md.AppendLine("Written by the command below; every number here was measured by it.").AppendLine();
        md.AppendLine("```bash").AppendLine(command).AppendLine("```").AppendLine();
        md.AppendLine("Running it again reads finished arms back from the output folder (and resumes an unfinished one); point `-o` at an empty folder to measure everything again.").AppendLine();
        md.AppendLine("## Budget (the same for every arm)").AppendLine();
        md.AppendLine(Inv, $"- Data: {dataset}; {results.FirstOrDefault()?.Evaluations.Values.First().TrainImages ?? budget.TrainImages} training images (class-balanced, evenly spaced) for pretraining, the probe and kNN; the full test split for accuracy.");
        md.AppendLine(Inv, $"- Encoder: ViT {vit.Width} wide, {vit.Depth} blocks, {vit.Heads} heads, patch {vit.PatchSize} at {vit.ImageSize} px ({vit.GridSize * vit.GridSize} patches).");
        md.AppendLine(Inv, $"- Pretraining: {budget.Epochs} epochs, batch {budget.BatchSize}, seed {budget.Seed}, AdamW, warm-up {arms[0].Config.WarmupEpochs:0.#} epochs then cosine; MAE decoder 128 wide × 2 blocks, {(budget.MaeNormPix ? "norm-pix" : "pixel")} targets; SimMIM linear head, L1.");
        foreach (var arm in arms)
        {
            var c = arm.Config;
            string masking = c.Amt is { } a
                ? string.Format(Inv, "AMT r {0}, t {1}, random {2} for the first {3} epochs, prior refreshed every {4} epochs", a.MaskRatio, a.ThrowRatio, a.WarmupMaskRatio,
                    a.ResolveStart(c.Epochs), a.ResolveInterval(c.Epochs))
                : string.Format(Inv, "random {0}", c.MaskRatio);
            md.AppendLine(Inv, $"  - {arm.Label}: blr {c.BaseLr:G3} (lr {c.BaseLr * c.EffectiveBatch / 256:G3}), β₂ {c.Beta2}, crop scale ≥ {c.CropScaleMin}, clip {c.ClipGrad}; {masking}.");
        }
        md.AppendLine(Inv, $"- Evaluation: frozen encoder; linear probe = BatchNorm (no affine) + linear, LARS, {budget.ProbeEpochs} epochs, batch 256, lr 4.0; kNN k = 20, T = 0.07, cosine. Features from [CLS] and from the mean of the patch tokens, both after the final norm.");
        md.AppendLine(Inv, $"- Machine: {env.Os}, {env.ProcessorCount} logical cores, torch threads {env.TorchThreads}, TorchSharp {env.TorchSharpVersion}, {env.DotnetVersion}. Other work shared the machine during the run, so times are indicative.").AppendLine();

        md.AppendLine("## Results (CIFAR-10 test split, top-1)").AppendLine();
        md.AppendLine("| arm | linear probe [CLS] | kNN [CLS] | linear probe mean-patch | kNN mean-patch | final loss | wall time | train + refresh | train images/s | encoder / decoder tokens |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            md.AppendLine(Inv, $"| {r.Label} | {Probe(r, FeaturePooling.Cls)} | {Knn(r, FeaturePooling.Cls)} | {Probe(r, FeaturePooling.MeanPatch)} | {Knn(r, FeaturePooling.MeanPatch)} | {r.FinalLoss:F4} | {Minutes(r.WallSeconds)} | {r.TrainSeconds:F0} s + {r.RefreshSeconds:F0} s | {r.ImagesPerSecond:F0} | {r.EncoderTokens} / {r.DecoderTokens} |");
        }
        md.AppendLine();
        md.AppendLine($"Final loss is each recipe's own objective ({(budget.MaeNormPix ? "norm-pix" : "pixel")} MSE for MAE, L1 for SimMIM) over its own masked patches, so it compares runs of one method only. Tokens are per image in the last epoch, [CLS] included.").AppendLine();

        md.AppendLine("## AMT against its baseline").AppendLine();
        md.AppendLine("| pair | Δ linear probe [CLS] | Δ kNN [CLS] | Δ linear probe mean-patch | Δ kNN mean-patch | wall-time ratio (AMT / baseline) | FLOPs ratio of the run (predicted) |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (baseline, amt) in Pairs(results))
        {
            var configs = arms.ToDictionary(a => a.Name, a => a.Config);
            string flops = configs.TryGetValue(amt.Name, out var ac) && configs.TryGetValue(baseline.Name, out var bc)
                ? (RunFlopsPerImage(ac) / RunFlopsPerImage(bc)).ToString("F2", Inv) : "–";
            md.AppendLine(Inv, $"| {amt.Label} vs {baseline.Label} | {Delta(amt, baseline, FeaturePooling.Cls, probe: true)} | {Delta(amt, baseline, FeaturePooling.Cls, probe: false)} | {Delta(amt, baseline, FeaturePooling.MeanPatch, probe: true)} | {Delta(amt, baseline, FeaturePooling.MeanPatch, probe: false)} | {amt.WallSeconds / Math.Max(baseline.WallSeconds, 1e-9):F2} | {flops} |");
        }
        md.AppendLine();
        md.AppendLine("The FLOPs ratio counts every training step (backward = 2× forward) and every prior-refresh pass of the whole run (`Amt/ComputeAccounting`); the wall-time ratio also holds data loading and per-step overheads (the optimizer step costs the same for both).");
        md.AppendLine();
        md.AppendLine("## The paper's claim").AppendLine();
        md.AppendLine("Liu, Gui and Luo (AAAI 2023) report that MAE + AMT improves MAE's linear-probe accuracy by +2.9 to +5.9 points on CIFAR-10, CIFAR-100, STL-10, Tiny ImageNet and ImageNet-1K, and that throwing makes pre-training cheaper. Their small-dataset settings (model, image size, epochs) are not published, and their runs are far longer than this budget. Step throughput and model-FLOPs utilisation are in `docs/benchmarks.md`.");
        return md.ToString();
    }

    // Training FLOPs per image over the whole run, prior refreshes included.
    private static double RunFlopsPerImage(PretrainConfig c)
    {
        var accounting = c.Method == MimMethod.Mae ? ComputeAccounting.ForMae(c.MaeModel) : ComputeAccounting.ForSimMim(c.Encoder);
        var grid = MimFactory.Grid(c);
        if (c.Amt is { } amt)
        {
            return accounting.RunFlopsPerImage(new AmtSchedule(c.Epochs, amt, grid));
        }
        var counts = ComputeAccounting.InPatches(MimFactory.RandomStrategy(c, c.MaskRatio).Counts, grid);
        return c.Epochs * accounting.TrainStepFlops(counts);
    }

    private static IEnumerable<(ArmResult Baseline, ArmResult Amt)> Pairs(IReadOnlyList<ArmResult> results)
    {
        foreach (var amt in results.Where(r => r.Name.EndsWith("-amt", StringComparison.Ordinal)))
        {
            var baseline = results.FirstOrDefault(r => r.Name == amt.Name[..^"-amt".Length]);
            if (baseline is not null)
            {
                yield return (baseline, amt);
            }
        }
    }

    private static FrozenEvaluationResult? Eval(ArmResult r, FeaturePooling p) => r.Evaluations.GetValueOrDefault(p.ToString());

    private static string Probe(ArmResult r, FeaturePooling p) => Eval(r, p)?.Probe is { } probe ? probe.Top1.ToString("P1", Inv) : "–";

    private static string Knn(ArmResult r, FeaturePooling p) => Eval(r, p)?.Knn is { } knn ? knn.Top1.ToString("P1", Inv) : "–";

    private static string Delta(ArmResult amt, ArmResult baseline, FeaturePooling p, bool probe)
    {
        double? Value(ArmResult r) => probe ? Eval(r, p)?.Probe?.Top1 : Eval(r, p)?.Knn?.Top1;
        return Value(amt) is double a && Value(baseline) is double b ? (100 * (a - b)).ToString("+0.0;−0.0;0.0", Inv) + " pt" : "–";
    }

    private static string Minutes(double seconds) => TimeSpan.FromSeconds(seconds).ToString(@"m\:ss", Inv);
}
