using System.Globalization;
using System.Text;
using AmtSharp.Reporting;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Runs;

namespace AmtSharp.Experiments;

/// <summary>One accuracy the study reports for every arm, as a fraction in [0, 1].</summary>
public sealed record StudyMetric(string Key, string Header, Func<ArmResult, double?> Value);

/// <summary>What a study page shows, besides the measured arms.</summary>
/// <param name="Title">Page title.</param>
/// <param name="Commands">The commands that produced the results (in the order they were run).</param>
/// <param name="Dataset">One line on the data: path, format, image counts.</param>
/// <param name="Budget">The budget every arm shares.</param>
/// <param name="Catalogue">Every arm that may appear (labels, baselines, controls, flags), in table order.</param>
/// <param name="Evaluation">The frozen evaluations' settings.</param>
/// <param name="ChartFile">File name of the accuracy chart, written beside the page; null for none.</param>
/// <param name="PriorChartFile">File name of the prior chart, written beside the page; null for none.</param>
/// <param name="Synthetic">The MAE family on the synthetic shapes, or null.</param>
/// <param name="LedgerFile">File name of the page's <see cref="StudyLedger"/>, beside it; null for none.</param>
public sealed record StudyPageInput(
    string Title,
    IReadOnlyList<string> Commands,
    string Dataset,
    ComparisonBudget Budget,
    IReadOnlyList<ComparisonArm> Catalogue,
    ComparisonEvaluation Evaluation,
    string? ChartFile,
    string? PriorChartFile,
    SyntheticSection? Synthetic = null,
    string? LedgerFile = null);

/// <summary>The study's runs on the synthetic shapes: their budget, arms and results.</summary>
public sealed record SyntheticSection(SyntheticBudget Budget, IReadOnlyList<ComparisonArm> Catalogue, IReadOnlyList<ArmResult> Results);

/// <summary>
/// The study's Markdown page: budget, per family the accuracy of every arm over seeds (mean ± sd), the paired
/// differences against the baseline and against the random control with 95 % t intervals, the same at equal compute,
/// how the prior changed over training, the conditions, and a conclusion derived from the intervals.
/// </summary>
public static class StudyReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The accuracies in table order; the first is the headline.</summary>
    public static IReadOnlyList<StudyMetric> Metrics { get; } =
    [
        new("probe-cls", "linear probe [CLS] (converged)", r => Eval(r, FeaturePooling.Cls)?.Converged?.Top1),
        new("lars-cls", "linear probe [CLS] (LARS)", r => Eval(r, FeaturePooling.Cls)?.Probe?.Top1),
        new("knn-cls", "kNN [CLS]", r => Eval(r, FeaturePooling.Cls)?.Knn?.Top1),
        new("probe-mean", "linear probe mean-patch (converged)", r => Eval(r, FeaturePooling.MeanPatch)?.Converged?.Top1),
        new("lars-mean", "linear probe mean-patch (LARS)", r => Eval(r, FeaturePooling.MeanPatch)?.Probe?.Top1),
        new("knn-mean", "kNN mean-patch", r => Eval(r, FeaturePooling.MeanPatch)?.Knn?.Top1),
    ];

    public static StudyMetric Headline => Metrics[0];

    /// <summary>The page, and the charts beside it when <paramref name="pageDirectory"/> is given.</summary>
    public static string Render(StudyPageInput input, IReadOnlyList<ArmResult> results, string? pageDirectory = null)
    {
        var known = input.Catalogue.Select(a => a.Name).ToHashSet();
        var supervised = results.Where(r => r.Name == ComparisonFineTuning.SupervisedArm && r.FineTune is not null).ToList();
        results = results.Where(r => known.Contains(r.Name)).ToList();
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# {input.Title}").AppendLine();
        string readBack = input.LedgerFile is null
            ? "finished arms are read back from the output folder"
            : $"finished arms are read back from the output folder and from [{input.LedgerFile}]({input.LedgerFile}) beside this page, which keeps every finished arm's results, so that the page can be rewritten without training even where the output folder is gone";
        md.AppendLine(Inv, $"Does attention-driven masking and throwing (AMT) make a better encoder than the masking it replaces? Every number on this page was measured by the commands below and is rewritten when they run again; {readBack}.").AppendLine();
        md.AppendLine("```bash");
        foreach (var command in input.Commands)
        {
            md.AppendLine(command);
        }
        md.AppendLine("```").AppendLine();

        md.AppendLine("## In short").AppendLine();
        foreach (var paragraph in StudyVerdict.Paragraphs(input, results, supervised))
        {
            md.AppendLine(paragraph).AppendLine();
        }
        WriteBudget(md, input, results);
        foreach (var family in Families(input.Catalogue))
        {
            WriteFamily(md, family, input.Catalogue, results, Metrics,
                $"{family[0].Label.Split(' ')[0]} family: CIFAR-10 test top-1, mean ± sd over seeds");
        }
        if (input.ChartFile is not null && pageDirectory is not null && results.Count > 0)
        {
            WriteChart(Path.Combine(pageDirectory, input.ChartFile), input.Catalogue, results);
            md.AppendLine("## Accuracy per arm").AppendLine();
            md.AppendLine(Inv, $"![{Headline.Header} and the other protocols per arm, every seed]({input.ChartFile})").AppendLine();
        }
        WriteFineTuning(md, input.Catalogue, results, supervised);
        WritePrior(md, input, results, pageDirectory);
        if (input.Synthetic is { } synthetic)
        {
            WriteSynthetic(md, synthetic);
        }
        WriteConditions(md, results);
        WriteConclusion(md, input.Catalogue, results);
        return md.ToString();
    }

    // Families in catalogue order: each baseline arm (no Baseline of its own) opens one.
    private static IEnumerable<IReadOnlyList<ComparisonArm>> Families(IReadOnlyList<ComparisonArm> catalogue) =>
        catalogue.Where(a => a.Baseline is null)
            .Select(b => (IReadOnlyList<ComparisonArm>)catalogue.Where(a => a.Name == b.Name || a.Baseline == b.Name).ToList());

    private static void WriteBudget(StringBuilder md, StudyPageInput input, IReadOnlyList<ArmResult> results)
    {
        var b = input.Budget;
        var vit = Cifar10Comparison.Encoder(b);
        var seeds = results.Select(r => r.Seed).Distinct().Order().ToList();
        md.AppendLine("## Budget").AppendLine();
        md.AppendLine(Inv, $"- Data: {input.Dataset}.");
        md.AppendLine(Inv, $"- Encoder: ViT {vit.Width} wide, {vit.Depth} blocks, {vit.Heads} heads, patch {vit.PatchSize} at {vit.ImageSize} px ({vit.NumPatches} patches).");
        md.AppendLine(Inv, $"- Pretraining: {b.Epochs} epochs, batch {b.BatchSize}, AdamW, learning-rate warm-up 10 % of the run then cosine; MAE decoder 128 wide × 2 blocks, {(b.MaeNormPix ? "norm-pix" : "pixel")} targets; SimMIM linear head, L1.");
        md.AppendLine(Inv, $"- Seeds: {(seeds.Count == 0 ? "none finished yet" : string.Join(", ", seeds))}. Arms of one seed share data order, crops, flips and initialisation, so differences are paired by seed.");
        var probe = input.Evaluation.Frozen.Probe;
        var converged = input.Evaluation.Frozen.Converged;
        md.AppendLine(Inv, $"- Evaluation (frozen encoder, features after the final norm, [CLS] and mean of the patch tokens): the headline is the converged probe = features standardised, multinomial logistic regression trained to convergence by full-batch L-BFGS, its L2 strength chosen from {(converged is null ? "-" : string.Join(", ", converged.LambdaGrid.Select(l => l.ToString("G1", Inv))))} on a held-out {(converged?.HeldOutFraction ?? 0):P0} of the training features, then refit on all; the protocol column is MAE's linear probe = BatchNorm without affine + linear, LARS, {probe.Epochs} epochs, batch {probe.BatchSize}, lr {probe.BaseLr * probe.BatchSize / 256:G3} (MAE's protocol, shortened); kNN k = {input.Evaluation.Frozen.Knn.K}, T = {input.Evaluation.Frozen.Knn.Temperature}, cosine.");
        md.AppendLine("- Each arm is `amt pretrain` with the budget's `--width --depth --heads --epochs --batch-size --limit --seed` and:").AppendLine();
        md.AppendLine("| arm | recipe | `amt pretrain` flags | run FLOPs per image |");
        md.AppendLine("|---|---|---|---|");
        foreach (var arm in input.Catalogue.Where(a => results.Any(r => r.Name == a.Name)))
        {
            var c = arm.Config;
            string masking = c.Amt is { } a
                ? string.Format(Inv, "{0}, r {1}, t {2}, prior crop {3}; random {4} before epoch {5}, prior after epochs {6}", a.Variant, a.MaskRatio, a.ThrowRatio,
                    a.PriorCrop.ToString().ToLowerInvariant(), a.WarmupMaskRatio, a.ResolveStart(c.Epochs) + 1,
                    Refreshes(arm))
                : string.Format(Inv, "random {0}", c.MaskRatio);
            md.AppendLine(Inv, $"| {arm.Label} | {c.Epochs} epochs, blr {c.BaseLr:G3}, β₂ {c.Beta2}, crop ≥ {c.CropScaleMin}, clip {c.ClipGrad}; {masking} | `{arm.Flags}` | {StudyCompute.RunFlopsPerImage(c) / 1e9:F2} GFLOP |");
        }
        md.AppendLine();
    }

    private static string Refreshes(ComparisonArm arm)
    {
        var schedule = new Amt.AmtSchedule(arm.Config.Epochs, arm.Config.Amt!, Training.Pretraining.MimFactory.Grid(arm.Config));
        return schedule.RefreshEpochs.Count == 0 ? "none (never read)" : string.Join(" ", schedule.RefreshEpochs.Select(e => e + 1));
    }

    private static void WriteFamily(StringBuilder md, IReadOnlyList<ComparisonArm> family, IReadOnlyList<ComparisonArm> catalogue,
        IReadOnlyList<ArmResult> results, IReadOnlyList<StudyMetric> metrics, string title)
    {
        var present = family.Where(a => results.Any(r => r.Name == a.Name)).ToList();
        if (present.Count == 0)
        {
            return;
        }
        md.AppendLine(Inv, $"## {title}").AppendLine();
        md.Append("| arm | seeds |");
        foreach (var m in metrics)
        {
            md.Append(Inv, $" {m.Header} |");
        }
        md.AppendLine(" final loss | train + refresh per run | run FLOPs vs baseline |");
        md.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", metrics.Count)) + "---|---|---|");
        double baseFlops = results.Where(r => r.Name == family[0].Name).Select(r => r.RunFlopsPerImage).DefaultIfEmpty(double.NaN).First();
        foreach (var arm in present)
        {
            var rs = results.Where(r => r.Name == arm.Name).ToList();
            md.Append(Inv, $"| {arm.Label} | {string.Join(" ", rs.Select(r => r.Seed))} |");
            foreach (var m in metrics)
            {
                md.Append(Inv, $" {MeanSd(rs.Select(m.Value))} |");
            }
            md.AppendLine(Inv, $" {rs.Average(r => r.FinalLoss):F4} | {rs.Average(r => r.TrainSeconds):F0} s + {rs.Average(r => r.RefreshSeconds):F0} s | {rs[0].RunFlopsPerImage / baseFlops:F2} |");
        }
        md.AppendLine();
        md.AppendLine("Final loss is each recipe's own objective over its own masked patches, so it compares arms of one method and one token budget only. Times are per run, averaged over seeds; the conditions are below.").AppendLine();

        var pairs = Pairs(present, catalogue).ToList();
        if (pairs.Count == 0)
        {
            return;
        }
        md.AppendLine("**Paired differences** (arm minus reference at the same seed, points; 95 % t interval over seeds in brackets; one seed gives no interval):").AppendLine();
        md.Append("| arm | against | seeds |");
        foreach (var m in metrics)
        {
            md.Append(Inv, $" Δ {m.Header} |");
        }
        md.AppendLine();
        md.AppendLine("|---|---|---|" + string.Concat(Enumerable.Repeat("---|", metrics.Count)));
        foreach (var (arm, reference, why) in pairs)
        {
            var d = metrics.Select(m => Difference(results, arm.Name, reference.Name, m)).ToList();
            int n = d.Select(x => x?.N ?? 0).Max();
            if (n == 0)
            {
                continue;
            }
            md.Append(Inv, $"| {arm.Label} | {reference.Label} ({why}) | {n} |");
            foreach (var x in d)
            {
                md.Append(Inv, $" {Interval(x)} |");
            }
            md.AppendLine();
        }
        md.AppendLine();
    }

    /// <summary>Every (arm, reference, why) pair a family's table shows: each arm against its baseline and its control.</summary>
    public static IEnumerable<(ComparisonArm Arm, ComparisonArm Reference, string Why)> Pairs(IReadOnlyList<ComparisonArm> arms, IReadOnlyList<ComparisonArm> catalogue)
    {
        ComparisonArm? Find(string? name) => name is null ? null : catalogue.FirstOrDefault(a => a.Name == name);
        foreach (var arm in arms)
        {
            if (Find(arm.Baseline) is { } b)
            {
                yield return (arm, b, arm.EqualFlopsOf is null ? "baseline" : "baseline, equal FLOPs");
            }
            if (Find(arm.Control) is { } c)
            {
                yield return (arm, c, "random draws, same counts");
            }
        }
    }

    /// <summary>The paired difference of one metric between two arms over their common seeds, in points.</summary>
    public static Summary? Difference(IReadOnlyList<ArmResult> results, string arm, string reference, StudyMetric metric)
    {
        Dictionary<long, double> Values(string name) => results.Where(r => r.Name == name && metric.Value(r) is not null)
            .ToDictionary(r => r.Seed, r => 100 * metric.Value(r)!.Value);
        return PairedStatistics.Paired(Values(arm), Values(reference));
    }

    private static void WriteChart(string path, IReadOnlyList<ComparisonArm> catalogue, IReadOnlyList<ArmResult> results)
    {
        var arms = catalogue.Where(a => results.Any(r => r.Name == a.Name)).ToList();
        var series = Metrics.Take(3).Select(m => new ErrorBarSeries(m.Header,
            arms.Select(a => (IReadOnlyList<double>)results.Where(r => r.Name == a.Name && m.Value(r) is not null).Select(r => 100 * m.Value(r)!.Value).ToList()).ToList())).ToList();
        ErrorBarChart.Write(path, arms.Select(a => a.Label).ToList(), series, "CIFAR-10 test top-1 per arm (every seed)", "top-1 accuracy (%)");
    }

    /// <summary>Test top-1 after end-to-end fine-tuning (the last epoch's).</summary>
    public static StudyMetric FineTuned { get; } = new("finetune", "fine-tuned top-1", r => r.FineTune?.Top1);

    // The paper's second claim: every arm's encoder and the supervised baseline fine-tuned with one recipe.
    private static void WriteFineTuning(StringBuilder md, IReadOnlyList<ComparisonArm> catalogue, IReadOnlyList<ArmResult> results,
        IReadOnlyList<ArmResult> supervised)
    {
        var arms = catalogue.Where(a => results.Any(r => r.Name == a.Name && r.FineTune is not null)).ToList();
        if (arms.Count == 0)
        {
            return;
        }
        var tuned = results.Where(r => r.FineTune is not null).Concat(supervised).ToList();
        var first = tuned[0].FineTune!;
        md.AppendLine("## Fine-tuning: CIFAR-10 test top-1 after end-to-end fine-tuning").AppendLine();
        md.AppendLine(Inv, $"Each arm's final encoder is fine-tuned end to end (`amt finetune`, its `finetune-cifar` recipe) on the same {first.TrainImages} training images and scored on the {first.TestImages} test images after the last epoch; the supervised baseline is the same recipe from random initialisation with the same encoder shape, at each seed. Recipe: {string.Join("; ", tuned.Select(r => r.FineTune!.Recipe).Distinct())}.").AppendLine();
        var meanPatch = Metrics.Single(m => m.Key == "probe-mean");
        md.AppendLine(Inv, $"| arm | seeds | fine-tuned top-1 | top-5 | best top-1 of the scored epochs | frozen {Headline.Header} | fine-tuned minus it | frozen {meanPatch.Header} | fine-tuning time per run |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        var rows = new List<(string Label, List<ArmResult> Runs)>();
        if (supervised.Count > 0)
        {
            rows.Add((ComparisonFineTuning.SupervisedLabel, supervised.ToList()));
        }
        rows.AddRange(arms.Select(a => (a.Label, results.Where(r => r.Name == a.Name && r.FineTune is not null).ToList())));
        foreach (var (label, rs) in rows)
        {
            var probe = rs.Select(Headline.Value).ToList();
            string gap = probe.All(p => p is null) ? "–" : Interval(PairedStatistics.Summarise(
                rs.Where(r => Headline.Value(r) is not null).Select(r => 100 * (r.FineTune!.Top1 - Headline.Value(r)!.Value)).ToList()));
            md.AppendLine(Inv, $"| {label} | {string.Join(" ", rs.Select(r => r.Seed))} | {MeanSd(rs.Select(r => (double?)r.FineTune!.Top1))} | {MeanSd(rs.Select(r => (double?)r.FineTune!.Top5))} | {MeanSd(rs.Select(r => (double?)r.FineTune!.BestTop1))} | {MeanSd(probe)} | {gap} | {MeanSd(rs.Select(meanPatch.Value))} | {rs.Average(r => r.FineTune!.TrainSeconds + r.FineTune!.EvalSeconds) / 60:F0} min |");
        }
        md.AppendLine();
        md.AppendLine("The best top-1 is chosen on the test split and is shown only to read the training curve; the fine-tuned top-1 is the last epoch's. A positive fine-tuned-minus-probe gap means the budget lets fine-tuning use more than the frozen features give.").AppendLine();

        var pairs = arms.SelectMany(a => new[] { a.Baseline, ComparisonFineTuning.SupervisedArm }
                .Where(reference => reference is not null && tuned.Any(r => r.Name == reference))
                .Select(reference => (Arm: a, Reference: reference!)))
            .Where(p => Difference(tuned, p.Arm.Name, p.Reference, FineTuned) is not null).ToList();
        if (pairs.Count == 0)
        {
            return;
        }
        md.AppendLine("**Paired differences of the fine-tuned top-1** (arm minus reference at the same seed, points; 95 % t interval over seeds in brackets; one seed gives no interval):").AppendLine();
        md.AppendLine("| arm | against | seeds | Δ fine-tuned top-1 |");
        md.AppendLine("|---|---|---|---|");
        foreach (var (arm, reference) in pairs)
        {
            var d = Difference(tuned, arm.Name, reference, FineTuned)!;
            string against = reference == ComparisonFineTuning.SupervisedArm
                ? ComparisonFineTuning.SupervisedLabel
                : catalogue.First(a => a.Name == reference).Label;
            md.AppendLine(Inv, $"| {arm.Label} | {against} | {d.N} | {Interval(d)} |");
        }
        md.AppendLine();
    }

    private static void WritePrior(StringBuilder md, StudyPageInput input, IReadOnlyList<ArmResult> results, string? pageDirectory)
    {
        var withFinal = input.Catalogue.Where(a => results.Any(r => r.Name == a.Name && r.FinalPrior is not null)).ToList();
        var withHistory = input.Catalogue.Where(a => results.Any(r => r.Name == a.Name && r.PriorHistory is { Count: > 0 })).ToList();
        if (withFinal.Count == 0 && withHistory.Count == 0)
        {
            return;
        }
        md.AppendLine("## The prior").AppendLine();
        md.AppendLine("CIFAR-10 has no object masks, so the prior is described by three numbers: its entropy (as a share of a flat map's, 1 = flat), the share of each image's top-quartile cells that lie in the central region (the middle half of the rows and of the columns, a quarter of the cells, so 25 % is chance), and its rank correlation with the previous refresh (1 = unchanged).").AppendLine();
        if (withFinal.Count > 0)
        {
            md.AppendLine("**The trained encoder's prior** (one pass over the training images after pretraining, every arm; mean over seeds):").AppendLine();
            md.AppendLine("| arm | entropy / flat | top quartile in the centre |");
            md.AppendLine("|---|---|---|");
            foreach (var arm in withFinal)
            {
                var rs = results.Where(r => r.Name == arm.Name && r.FinalPrior is not null).Select(r => r.FinalPrior!).ToList();
                md.AppendLine(Inv, $"| {arm.Label} | {rs.Average(p => p.MeanEntropyFraction):F3} | {rs.Average(p => p.CentreTopQuartile ?? double.NaN):P1} |");
            }
            md.AppendLine();
        }
        if (withHistory.Count > 0)
        {
            if (input.PriorChartFile is not null && pageDirectory is not null)
            {
                var series = withHistory.Select(a => new ChartSeries(a.Label, MeanHistory(results, a.Name, p => p.CentreTopQuartile ?? double.NaN)
                    .Select(x => ((double)x.Epoch + 1, 100 * x.Value)).ToList())).ToList();
                LineChart.Write(Path.Combine(pageDirectory, input.PriorChartFile), series, new LineChartOptions
                {
                    Title = "Top-quartile prior cells in the centre, at each refresh (mean over seeds)",
                    XLabel = "after epoch",
                    YLabel = "% in the central quarter",
                    Width = 1000,
                });
                md.AppendLine(Inv, $"![The prior's centre share at every refresh]({input.PriorChartFile})").AppendLine();
            }
            md.AppendLine("<details><summary>The prior at every refresh (mean over seeds)</summary>").AppendLine();
            md.AppendLine("| arm | after epoch | entropy / flat | top quartile in the centre | rank correlation with the previous refresh |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var arm in withHistory)
            {
                var entropy = MeanHistory(results, arm.Name, p => p.MeanEntropyFraction).ToDictionary(x => x.Epoch, x => x.Value);
                var centre = MeanHistory(results, arm.Name, p => p.CentreTopQuartile ?? double.NaN).ToDictionary(x => x.Epoch, x => x.Value);
                foreach (var (epoch, rank) in MeanHistory(results, arm.Name, p => p.RankCorrelationWithPrevious ?? double.NaN))
                {
                    md.AppendLine(Inv, $"| {arm.Label} | {epoch + 1} | {entropy[epoch]:F3} | {centre[epoch]:P1} | {(double.IsNaN(rank) ? "–" : rank.ToString("F3", Inv))} |");
                }
            }
            md.AppendLine().AppendLine("</details>").AppendLine();
        }
    }

    // Per refresh epoch, the mean of a statistic over the seeds that have it.
    private static IEnumerable<(int Epoch, double Value)> MeanHistory(IReadOnlyList<ArmResult> results, string arm, Func<Amt.PriorStatistics, double> value) =>
        results.Where(r => r.Name == arm && r.PriorHistory is not null)
            .SelectMany(r => r.PriorHistory!)
            .GroupBy(p => p.Epoch)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Select(p => value(p.Statistics)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()));

    /// <summary>What the synthetic table reports: whether the prior finds the object, and the encoder's accuracy.</summary>
    public static IReadOnlyList<StudyMetric> SyntheticMetrics { get; } =
    [
        new("prior-on-object", "prior on the object (top-quartile cells)", r => r.FinalPriorOnObject?.TopQuartileForeground),
        new("dense-miou", "dense probe mIoU (patch classes)", r => r.DenseProbe?.MeanIoU),
        Metrics[0],
        Metrics[2],
    ];

    private static void WriteSynthetic(StringBuilder md, SyntheticSection s)
    {
        var results = s.Results.Where(r => s.Catalogue.Any(a => a.Name == r.Name)).ToList();
        if (results.Count == 0)
        {
            return;
        }
        var b = s.Budget;
        md.AppendLine("## On the synthetic shapes, where the object is known").AppendLine();
        md.AppendLine(Inv, $"The embedded synthetic set draws one shape per image (its class) and knows each object's pixels. Every MAE-family arm ran again there: {b.TrainImages} training and {b.TestImages} test images at 32 px, ViT {b.Width} × {b.Depth} ({b.Heads} heads), decoder 64 × 1, pixel targets, {b.Epochs} epochs, batch {b.BatchSize}, the same seeds. \"Prior on the object\" is the share of each image's top-quartile prior cells (16 of 64) that are object, for the trained encoder's prior over the training images; a cell is object when at least half its pixels are. The dense probe is the converged probe on the frozen patch tokens (after the final norm) of every training image, predicting each patch's class (background, or the class of the shape covering it), scored on the test images as the mean IoU over the 11 classes. Chance for the prior is {results.Select(r => r.FinalPriorOnObject?.ForegroundShare).OfType<double>().DefaultIfEmpty(double.NaN).Average():P1} (the object's share of all cells).").AppendLine();
        WriteFamily(md, s.Catalogue, s.Catalogue, results, SyntheticMetrics, "Synthetic shapes: the prior and the encoder, mean ± sd over seeds");
    }

    private static void WriteConditions(StringBuilder md, IReadOnlyList<ArmResult> results)
    {
        var env = EnvironmentInfo.Capture();
        md.AppendLine("## Conditions").AppendLine();
        var c = results.Select(r => r.Conditions).OfType<ArmConditions>().ToList();
        if (c.Count > 0)
        {
            var loads = c.SelectMany(x => x.LoadAtStart.Take(1).Concat(x.LoadAtEnd.Take(1))).ToList();
            md.AppendLine(Inv, $"- Machine: {c[0].Cpu}, {c[0].Cores} logical cores; {env.Os}; TorchSharp {env.TorchSharpVersion}; {env.DotnetVersion}.");
            md.AppendLine(Inv, $"- Threads: {string.Join(", ", c.Select(x => $"{x.TorchThreads} intra-op + {x.Workers} loader").Distinct())}.");
            var precisions = c.Select(x => x.Precision ?? "not recorded").Distinct().ToList();
            md.AppendLine(Inv, $"- Precision of the matrix products: {string.Join(", ", precisions)}.");
            if (loads.Count > 0)
            {
                md.AppendLine(Inv, $"- 1-minute load average at the start and end of the arms: {loads.Min():F1} to {loads.Max():F1} on {c[0].Cores} cores{(loads.Max() > c[0].Cores ? " (other work shared the machine, so times are indicative)" : "")}.");
            }
            md.AppendLine(Inv, $"- Trained between {c.Min(x => x.StartedUtc):yyyy-MM-dd HH:mm} and {c.Max(x => x.FinishedUtc):yyyy-MM-dd HH:mm} UTC.");
        }
        else
        {
            md.AppendLine(Inv, $"- Machine: {env.Os}, {env.ProcessorCount} logical cores, TorchSharp {env.TorchSharpVersion}, {env.DotnetVersion}.");
        }
        md.AppendLine();
    }

    private static void WriteConclusion(StringBuilder md, IReadOnlyList<ComparisonArm> catalogue, IReadOnlyList<ArmResult> results)
    {
        md.AppendLine("## What the evidence supports").AppendLine();
        md.AppendLine(Inv, $"Read off the paired intervals of the headline protocol ({Headline.Header}); \"no detectable difference\" means the interval contains 0, not that the arms are equal.").AppendLine();
        bool any = false;
        foreach (var (arm, reference, why) in Pairs(catalogue, catalogue))
        {
            if (Difference(results, arm.Name, reference.Name, Headline) is not { } d)
            {
                continue;
            }
            any = true;
            string verdict = d.N < 2 ? "one seed, so no interval: not evidence either way"
                : d.Sign > 0 ? "better: the whole interval lies above 0"
                : d.Sign < 0 ? "worse: the whole interval lies below 0"
                : "no detectable difference at this budget";
            md.AppendLine(Inv, $"- {arm.Label} against {reference.Label} ({why}): {Interval(d)} over {d.N} seed{(d.N == 1 ? "" : "s")}: {verdict}.");
        }
        if (!any)
        {
            md.AppendLine("- No pair has finished yet.");
        }
        md.AppendLine();
        md.AppendLine("The paper (Liu, Gui and Luo, AAAI 2023) reports +2.9 to +5.9 linear-probe points for MAE + AMT over MAE on CIFAR-10, CIFAR-100, STL-10, Tiny ImageNet and ImageNet-1K after hundreds of epochs; its small-dataset settings are not published. A difference here speaks for this budget only.");
    }

    private static FrozenEvaluationResult? Eval(ArmResult r, FeaturePooling p) => r.Evaluations.GetValueOrDefault(p.ToString());

    private static string MeanSd(IEnumerable<double?> values)
    {
        var v = values.OfType<double>().Select(x => 100 * x).ToList();
        if (v.Count == 0)
        {
            return "–";
        }
        var s = PairedStatistics.Summarise(v);
        return s.N == 1 ? s.Mean.ToString("F1", Inv) : string.Format(Inv, "{0:F1} ± {1:F1}", s.Mean, s.Sd);
    }

    internal static string Interval(Summary? d) => d is null ? "–" : d.N < 2 ? Points(d.Mean) : $"{Points(d.Mean)} {Bracket(d)}";

    private static string Bracket(Summary d) => d.N < 2 ? "" : $"[{Points(d.Low)}, {Points(d.High)}]";

    internal static string Points(double v) => v.ToString("+0.0;−0.0;0.0", Inv);
}
