using System.Globalization;
using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Training.Runs;

namespace AmtSharp.Experiments;

/// <summary>
/// The study's answer in plain words, derived only from the measured results: per family, which arms differ detectably
/// from the baseline on the headline metric, whether attention beats its random-draw control, what equal compute
/// changes, where the attention prior ends, what the synthetic set adds, and how small an effect the seeds could show.
/// A difference is "detectable" when its paired 95 % interval excludes 0; nothing is claimed from one seed.
/// </summary>
public static class StudyVerdict
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One paragraph per finding, in page order.</summary>
    /// <param name="input">The page's settings and arm catalogue.</param>
    /// <param name="results">The catalogue arms' results.</param>
    /// <param name="supervised">The supervised fine-tuning baselines, if the study fine-tuned.</param>
    public static IReadOnlyList<string> Paragraphs(StudyPageInput input, IReadOnlyList<ArmResult> results, IReadOnlyList<ArmResult>? supervised = null)
    {
        var paragraphs = new List<string>();
        var widths = new List<double>();
        foreach (var baseline in input.Catalogue.Where(a => a.Baseline is null && results.Any(r => r.Name == a.Name)))
        {
            var family = input.Catalogue.Where(a => a.Baseline == baseline.Name).ToList();
            if (Family(baseline, family, results, widths) is { } p)
            {
                paragraphs.Add(p);
            }
            if (Controls(family, input.Catalogue, results) is { } c)
            {
                paragraphs.Add(c);
            }
            if (EqualCompute(baseline, family, results) is { } e)
            {
                paragraphs.Add(e);
            }
            if (FineTuning(baseline, family, results, supervised ?? []) is { } f)
            {
                paragraphs.Add(f);
            }
        }
        if (Prior(input.Catalogue, results) is { } prior)
        {
            paragraphs.Add(prior);
        }
        if (input.Synthetic is { } synthetic && Synthetic(synthetic) is { } s)
        {
            paragraphs.Add(s);
        }
        if (paragraphs.Count == 0)
        {
            return ["No arm has been compared with its baseline over two or more seeds yet, so the study supports no conclusion."];
        }
        var b = input.Budget;
        string resolution = widths.Count == 0 ? ""
            : string.Format(Inv, "The paired 95 % intervals above have a median half-width of {0:F1} points: effects smaller than that are neither shown nor excluded by these seeds. ",
                Median(widths) / 2);
        paragraphs.Add(resolution + string.Format(Inv,
            "The budget is {0} epochs on {1} images with a ViT {2} × {3}, far below the paper's hundreds of epochs on full datasets: the study says whether AMT helps a short CPU-scale pretraining, not whether the paper's gains appear at its scale.",
            b.Epochs, b.TrainImages == 0 ? "all 50,000" : b.TrainImages.ToString("N0", Inv), b.Width, b.Depth));
        return paragraphs;
    }

    private static string? Family(ComparisonArm baseline, IReadOnlyList<ComparisonArm> family, IReadOnlyList<ArmResult> results, List<double> widths)
    {
        var diffs = Compared(family.Where(a => a.EqualFlopsOf is null), baseline, results, StudyReport.Headline);
        if (diffs.Count == 0)
        {
            return OneSeed(baseline, family.Where(a => a.EqualFlopsOf is null), results, StudyReport.Headline);
        }
        widths.AddRange(diffs.Select(x => x.D.High - x.D.Low));
        int seeds = diffs.Max(x => x.D.N);
        string name = FamilyName(baseline);
        var better = diffs.Where(x => x.D.Sign > 0).ToList();
        var worse = diffs.Where(x => x.D.Sign < 0).ToList();
        var same = diffs.Where(x => x.D.Sign == 0).ToList();
        var text = new List<string>
        {
            better.Count == 0
                ? $"**{name} family** (up to {seeds} seeds, {StudyReport.Headline.Header}): none of the {diffs.Count} arms that change the masking of {baseline.Label} beats it detectably."
                : $"**{name} family** (up to {seeds} seeds, {StudyReport.Headline.Header}): detectably better than {baseline.Label}: {Listed(better)}.",
        };
        if (worse.Count > 0)
        {
            text.Add($"Detectably worse: {Listed(worse)}.");
        }
        if (same.Count > 0)
        {
            text.Add(same.Count == 1
                ? $"No detectable difference: {Listed(same)}."
                : string.Format(Inv, "No detectable difference for {0} {1} (estimates {2} to {3} points).",
                    same.Count == diffs.Count ? "any of the" : "the other", same.Count,
                    Points(same.Min(x => x.D.Mean)), Points(same.Max(x => x.D.Mean))));
        }
        return string.Join(" ", text);
    }

    // With only one seed per pair: the differences, said to be no evidence.
    private static string? OneSeed(ComparisonArm baseline, IEnumerable<ComparisonArm> arms, IReadOnlyList<ArmResult> results, StudyMetric metric)
    {
        var single = arms.Select(a => (Arm: a, D: StudyReport.Difference(results, a.Name, baseline.Name, metric)))
            .Where(x => x.D is { N: 1 }).Select(x => $"{x.Arm.Label} {Points(x.D!.Mean)} points").ToList();
        return single.Count == 0 ? null
            : $"**{FamilyName(baseline)} family** (one seed, {metric.Header}) against {baseline.Label}: {string.Join("; ", single)} (one seed gives no interval: not evidence either way).";
    }

    // The paper's second claim: does the arm's pretraining fine-tune better than the baseline's, and than no pretraining?
    private static string? FineTuning(ComparisonArm baseline, IReadOnlyList<ComparisonArm> family, IReadOnlyList<ArmResult> results,
        IReadOnlyList<ArmResult> supervised)
    {
        var metric = StudyReport.FineTuned;
        if (Judged(family.Where(a => a.EqualFlopsOf is null), baseline, results, metric) is not { } judged)
        {
            return null;
        }
        string text = $"**Fine-tuned end to end** ({metric.Header}, against {baseline.Label}): {judged}.";
        double Mean(IEnumerable<ArmResult> rs) => rs.Select(metric.Value).OfType<double>().DefaultIfEmpty(double.NaN).Average();
        double pretrained = Mean(results.Where(r => r.Name == baseline.Name)), scratch = Mean(supervised);
        if (double.IsFinite(pretrained) && double.IsFinite(scratch))
        {
            text += string.Format(Inv, " With the same recipe from random initialisation the encoder reaches {0:P1}, against {1:P1} from {2}'s pretraining.",
                scratch, pretrained, baseline.Label);
        }
        return text;
    }

    private static string? Controls(IReadOnlyList<ComparisonArm> family, IReadOnlyList<ComparisonArm> catalogue, IReadOnlyList<ArmResult> results)
    {
        var pairs = family.Where(a => a.Control is not null && a.EqualFlopsOf is null)
            .Select(a => (Arm: a, Control: catalogue.Single(c => c.Name == a.Control), D: StudyReport.Difference(results, a.Name, a.Control!, StudyReport.Headline)))
            .Where(x => x.D is { N: >= 2 })
            .Select(x => (x.Arm, x.Control, D: x.D!))
            .ToList();
        if (pairs.Count == 0)
        {
            return null;
        }
        var differing = pairs.Where(x => x.D.Sign != 0).ToList();
        string control = pairs[0].Control.Label;
        if (differing.Count == 0 && pairs.Count == 1)
        {
            return $"Against random draws with the same masked / thrown / visible counts ({control}), {pairs[0].Arm.Label} does not differ detectably ({Effect(pairs[0].D)}): at this budget the evidence does not separate choosing the patches by attention from seeing fewer tokens.";
        }
        if (differing.Count == 0)
        {
            return string.Format(Inv,
                "Against random draws with the same masked / thrown / visible counts ({0}), none of the {1} attention-driven arms differs detectably (estimates {2} to {3} points): at this budget the evidence does not separate choosing the patches by attention from seeing fewer tokens.",
                control, pairs.Count, Points(pairs.Min(x => x.D.Mean)), Points(pairs.Max(x => x.D.Mean)));
        }
        var parts = differing.Select(x => $"{x.Arm.Label} is detectably {(x.D.Sign > 0 ? "better" : "worse")} ({Effect(x.D)})");
        return $"Against random draws with the same masked / thrown / visible counts ({control}): {string.Join("; ", parts)}" +
            (pairs.Count > differing.Count ? $"; the other {pairs.Count - differing.Count} show no detectable difference." : ".");
    }

    private static string? EqualCompute(ComparisonArm baseline, IReadOnlyList<ComparisonArm> family, IReadOnlyList<ArmResult> results)
    {
        return Judged(family.Where(a => a.EqualFlopsOf is not null), baseline, results, StudyReport.Headline) is { } judged
            ? $"At {baseline.Label}'s compute (epochs scaled so that the whole run, refreshes included, costs its FLOPs): {judged}."
            : null;
    }

    // Each measured arm against the reference, "label: effect, verdict"; one seed is said to be no evidence. Null: none measured.
    private static string? Judged(IEnumerable<ComparisonArm> arms, ComparisonArm reference, IReadOnlyList<ArmResult> results, StudyMetric metric)
    {
        var parts = arms.Select(a => (Arm: a, D: StudyReport.Difference(results, a.Name, reference.Name, metric)))
            .Where(x => x.D is not null)
            .Select(x => x.D!.N < 2
                ? $"{x.Arm.Label}: {Points(x.D.Mean)} points at one seed (no interval, not evidence either way)"
                : $"{x.Arm.Label}: {Effect(x.D)}, {(x.D.Sign > 0 ? "detectably better" : x.D.Sign < 0 ? "detectably worse" : "no detectable difference")}")
            .ToList();
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string? Prior(IReadOnlyList<ComparisonArm> catalogue, IReadOnlyList<ArmResult> results)
    {
        double? Centre(string name) => results.Where(r => r.Name == name && r.FinalPrior?.CentreTopQuartile is not null)
            .Select(r => r.FinalPrior!.CentreTopQuartile!.Value).DefaultIfEmpty(double.NaN).Average() is var v && double.IsFinite(v) ? v : null;
        var attention = catalogue.Where(a => a.Config.Amt is { Variant: not AmtVariant.RandomWithThrowing } && a.EqualFlopsOf is null)
            .Select(a => (Arm: a, Centre: Centre(a.Name))).Where(x => x.Centre is not null).ToList();
        var baselines = catalogue.Where(a => a.Baseline is null).Select(a => (Arm: a, Centre: Centre(a.Name))).Where(x => x.Centre is not null).ToList();
        if (attention.Count == 0)
        {
            return null;
        }
        return string.Format(Inv,
            "Where the prior ends: CIFAR-10 has no object masks, but its objects are mostly near the centre. {0} with {1} of each image's top-quartile prior cells in the central quarter (25 % is chance){2}.",
            attention.Count == 1 ? $"The arm that masks by attention ({attention[0].Arm.Label}) ends" : "The arms that mask by attention end",
            attention.Count == 1 ? attention[0].Centre!.Value.ToString("P0", Inv)
                : string.Format(Inv, "{0:P0} to {1:P0}", attention.Min(x => x.Centre!.Value), attention.Max(x => x.Centre!.Value)),
            baselines.Count == 0 ? "" : "; the baselines' own final attention puts " +
                string.Join(" and ", baselines.Select(x => string.Format(Inv, "{0:P0} there ({1})", x.Centre, x.Arm.Label))));
    }

    private static string? Synthetic(SyntheticSection s)
    {
        var baseline = s.Catalogue.FirstOrDefault(a => a.Baseline is null);
        if (baseline is null)
        {
            return null;
        }
        var onObject = StudyReport.SyntheticMetrics[0];
        var dense = StudyReport.SyntheticMetrics[1];
        double? Mean(string arm, StudyMetric m) => s.Results.Where(r => r.Name == arm).Select(m.Value).OfType<double>()
            .DefaultIfEmpty(double.NaN).Average() is var v && double.IsFinite(v) ? v : null;
        var amt = s.Catalogue.FirstOrDefault(a => a.Baseline == baseline.Name && a.Control is not null && a.EqualFlopsOf is null);
        if (amt is null || Mean(amt.Name, onObject) is not { } amtPrior || Mean(baseline.Name, onObject) is not { } basePrior)
        {
            return null;
        }
        double chance = s.Results.Select(r => r.FinalPriorOnObject?.ForegroundShare).OfType<double>().DefaultIfEmpty(double.NaN).Average();
        string text = string.Format(Inv,
            "On the synthetic shapes, where the object is known, the trained {0} prior puts {1:P0} of its top-quartile cells on the object against {2:P0} for {3} (chance {4:P0}).",
            amt.Label, amtPrior, basePrior, baseline.Label, chance);
        var diffs = Compared(s.Catalogue.Where(a => a.Baseline == baseline.Name && a.EqualFlopsOf is null), baseline, s.Results, dense);
        if (diffs.Count > 0)
        {
            var detectable = diffs.Where(x => x.D.Sign != 0).ToList();
            text += detectable.Count == 0
                ? string.Format(Inv, " The dense probe (patch classes, mIoU) shows no detectable difference from {0} for any of the {1} arms (estimates {2} to {3} points).",
                    baseline.Label, diffs.Count, Points(diffs.Min(x => x.D.Mean)), Points(diffs.Max(x => x.D.Mean)))
                : $" Dense probe (patch classes, mIoU) against {baseline.Label}: " +
                    string.Join("; ", detectable.Select(x => $"{x.Arm.Label} detectably {(x.D.Sign > 0 ? "better" : "worse")} ({Effect(x.D)})")) +
                    (diffs.Count > detectable.Count ? $"; the other {diffs.Count - detectable.Count} show no detectable difference." : ".");
        }
        return text;
    }

    // Each arm's paired difference from the reference over two or more seeds.
    private static List<(ComparisonArm Arm, Summary D)> Compared(IEnumerable<ComparisonArm> arms, ComparisonArm reference,
        IReadOnlyList<ArmResult> results, StudyMetric metric) =>
        arms.Select(a => (Arm: a, D: StudyReport.Difference(results, a.Name, reference.Name, metric)))
            .Where(x => x.D is { N: >= 2 }).Select(x => (x.Arm, D: x.D!)).ToList();

    private static string FamilyName(ComparisonArm baseline) => baseline.Label.Split(' ')[0];

    private static string Listed(IEnumerable<(ComparisonArm Arm, Summary D)> arms) =>
        string.Join(", ", arms.Select(x => $"{x.Arm.Label} ({Effect(x.D)})"));

    private static string Effect(Summary d) => StudyReport.Interval(d);

    private static string Points(double v) => StudyReport.Points(v);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
