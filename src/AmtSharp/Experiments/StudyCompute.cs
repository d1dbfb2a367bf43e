using AmtSharp.Amt;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Experiments;

/// <summary>Model FLOPs of whole pretraining runs, and arms rescaled to cost what their baseline costs.</summary>
public static class StudyCompute
{
    /// <summary>Training FLOPs per training image over the whole run, prior refreshes included (<see cref="ComputeAccounting"/>).</summary>
    public static double RunFlopsPerImage(PretrainConfig c)
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

    /// <summary>
    /// The epochs at which <paramref name="config"/>'s whole run (warm-up, AMT epochs and refreshes, all scaling with
    /// the run as <see cref="PretrainConfig.WithEpochs"/> does) costs closest to <paramref name="targetFlopsPerImage"/>.
    /// </summary>
    public static int EpochsForFlops(PretrainConfig config, double targetFlopsPerImage)
    {
        int best = config.Epochs;
        double bestGap = double.PositiveInfinity;
        for (int e = 2; e <= 4 * config.Epochs + 2; e++)
        {
            double gap = Math.Abs(RunFlopsPerImage(config.WithEpochs(e)) - targetFlopsPerImage);
            if (gap < bestGap)
            {
                (best, bestGap) = (e, gap);
            }
        }
        return best;
    }

    /// <summary>
    /// For each arm with a baseline among <paramref name="arms"/>, the same recipe with its epochs scaled so that its
    /// run costs the baseline's FLOPs (named "&lt;arm&gt;-eqflops"); arms whose scaled epochs equal their own are skipped.
    /// </summary>
    public static IReadOnlyList<ComparisonArm> EqualFlopsArms(IReadOnlyList<ComparisonArm> arms, IReadOnlyList<ComparisonArm> catalogue)
    {
        var result = new List<ComparisonArm>();
        foreach (var arm in arms.Where(a => a.Baseline is not null && a.EqualFlopsOf is null))
        {
            var baseline = catalogue.Single(a => a.Name == arm.Baseline);
            int epochs = EpochsForFlops(arm.Config, RunFlopsPerImage(baseline.Config));
            if (epochs == arm.Config.Epochs)
            {
                continue;
            }
            result.Add(arm with
            {
                Name = arm.Name + EqualFlopsSuffix,
                Label = $"{arm.Label}, {epochs} epochs (baseline's FLOPs)",
                Config = arm.Config.WithEpochs(epochs),
                Control = null,
                EqualFlopsOf = arm.Name,
                Flags = $"{arm.Flags} --epochs {epochs}",
            });
        }
        return result;
    }

    public const string EqualFlopsSuffix = "-eqflops";

    /// <summary>
    /// The arms of <paramref name="catalogue"/> that <paramref name="chosen"/> names ("mae-amt-eqflops" names only the
    /// rescaled arm); with <paramref name="equalFlops"/>, each chosen arm's equal-FLOPs variant as well.
    /// </summary>
    public static IReadOnlyList<ComparisonArm> Select(IReadOnlyList<ComparisonArm> catalogue, IReadOnlyCollection<string> chosen, bool equalFlops) =>
        catalogue.Where(a => chosen.Contains(a.Name) || (equalFlops && a.EqualFlopsOf is { } of && chosen.Contains(of))).ToList();

    public static bool IsEqualFlopsName(string arm) => arm.EndsWith(EqualFlopsSuffix, StringComparison.Ordinal);

    /// <summary>The arm an equal-FLOPs name rescales ("mae-amt-eqflops" → "mae-amt"); other names unchanged.</summary>
    public static string BaseArmName(string arm) => IsEqualFlopsName(arm) ? arm[..^EqualFlopsSuffix.Length] : arm;
}
