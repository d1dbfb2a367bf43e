using AmtSharp.Experiments;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Runs;
using Xunit;

namespace AmtSharp.Tests.Experiments;

/// <summary>The page's plain-words answer follows the paired intervals of fixed numbers, not a script.</summary>
public sealed class StudyVerdictTests
{
    private static readonly IReadOnlyList<ComparisonArm> Catalogue = Cifar10Comparison.Arms(new ComparisonBudget());

    // A result whose headline (converged [CLS] probe) is top1 percent.
    private static ArmResult Result(string arm, long seed, double top1) => new(arm, arm, 20, 100, 0.5, 1, 0, 1, 1, 16, 64,
        new Dictionary<string, FrozenEvaluationResult>
        {
            [FeaturePooling.Cls.ToString()] = new(null, null, 100, 100, 10,
                new ConvergedProbeResult(top1 / 100, 1, 1e-3, [], new FitSummary(10, 0.1, 1e-6, true))),
        },
        Seed: seed);

    private static StudyPageInput Page() => new("study", [], "data", new ComparisonBudget(), Catalogue,
        Cifar10Comparison.Evaluation(new ComparisonBudget()), null, null);

    [Fact]
    public void ArmsAreCalledWorseOnlyWhenTheWholeIntervalIsBelowZero()
    {
        var results = new List<ArmResult>();
        double[] mae = [50, 51, 49];
        for (int s = 0; s < 3; s++)
        {
            results.Add(Result("mae", s, mae[s]));
            results.Add(Result("mae-amt", s, mae[s] - 2 + 0.1 * s));          // −2.0, −1.9, −1.8: detectably worse
            results.Add(Result("mae-random-throw", s, mae[s] + (s == 1 ? 3 : -1)));   // −1, +3, −1: straddles 0
        }
        string text = string.Join("\n", StudyVerdict.Paragraphs(Page(), results));

        Assert.Contains("none of the 2 arms that change the masking of MAE (random 0.75) beats it detectably", text);
        Assert.Contains("Detectably worse: MAE + AMT (0.45 / 0.40) (−1.9 [", text);
        Assert.Contains("No detectable difference: MAE, random 0.45 + random throw 0.40 (+0.3 [", text);
        // AMT against its control: −1, −4.9, −0.8 at the three seeds straddles 0.
        Assert.Contains("MAE + AMT (0.45 / 0.40) does not differ detectably", text);
        Assert.Contains("20 epochs on 10,000 images", text);
        Assert.DoesNotContain("SimMIM", text);
    }

    [Fact]
    public void ABetterArmIsNamedAndOneSeedSupportsNoConclusion()
    {
        var better = new List<ArmResult>();
        for (int s = 0; s < 2; s++)
        {
            better.Add(Result("simmim", s, 40 + s));
            better.Add(Result("simmim-amt", s, 43 + s));                      // +3, +3: sd 0, the interval is +3 exactly
        }
        Assert.Contains("detectably better than SimMIM (random 0.6): SimMIM + AMT (0.44 / 0.26) (+3.0 [+3.0, +3.0])",
            string.Join("\n", StudyVerdict.Paragraphs(Page(), better)));

        // One seed: the difference is shown, and said to be no evidence.
        var oneSeed = StudyVerdict.Paragraphs(Page(), [Result("mae", 0, 50), Result("mae-amt", 0, 45)]);
        Assert.StartsWith("**MAE family** (one seed, linear probe [CLS] (converged)) against MAE (random 0.75): MAE + AMT (0.45 / 0.40) −5.0 points (one seed gives no interval: not evidence either way).",
            oneSeed[0]);
        Assert.DoesNotContain("detectabl", string.Join("\n", oneSeed));
        Assert.Equal(["No arm has been compared with its baseline over two or more seeds yet, so the study supports no conclusion."],
            StudyVerdict.Paragraphs(Page(), [Result("mae", 0, 50)]));
    }
}
