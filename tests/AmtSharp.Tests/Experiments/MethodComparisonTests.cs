using AmtSharp.Amt;
using AmtSharp.Data.Sources;
using AmtSharp.Experiments;
using AmtSharp.Tests.Training;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;
using Xunit;

namespace AmtSharp.Tests.Experiments;

public sealed class MethodComparisonTests
{
    private static PretrainConfig Mae() => TinyPretrain.Config() with { Epochs = 3, Seed = 5, KeepCheckpoints = 1 };

    private static readonly ComparisonEvaluation Evaluation = new(
        new FrozenEvaluationConfig(new LinearProbeConfig(3, 1, 32, 0.5), new KnnConfig(K: 5)),
        [FeaturePooling.Cls, FeaturePooling.MeanPatch]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheMaeTargetChoiceReachesBothMaeArmsAndTheResultsPage(bool normPix)
    {
        var budget = new ComparisonBudget(MaeNormPix: normPix);
        var arms = Cifar10Comparison.Arms(budget);
        Assert.All(arms.Where(a => a.Config.Method == MimMethod.Mae), a => Assert.Equal(normPix, a.Config.NormPixLoss));
        Assert.Equal(2, arms.Count(a => a.Config.Method == MimMethod.Mae));
        string md = ComparisonReport.Render("test", "amt experiment", "synthetic", budget, arms, []);
        Assert.Contains(normPix ? "2 blocks, norm-pix targets" : "2 blocks, pixel targets", md);
    }

    [Fact]
    public void ArmsAreTrainedEvaluatedAndReadBackWhenRunAgain()
    {
        using var dir = new TestUtil.TempDir();
        var train = SyntheticShapesSource.Train(seed: 1, count: 64, size: 32, classes: 4);
        var test = SyntheticShapesSource.Test(seed: 1, count: 32, size: 32, classes: 4);
        ComparisonArm[] arms =
        [
            new("mae", "MAE", Mae() with { Amt = null }),
            new("mae-amt", "MAE + AMT", Mae() with { Amt = AmtConfig.ForMae() with { StartEpoch = 1, RefreshInterval = 1 } }),
        ];
        var observer = new CountingObserver();
        var first = new MethodComparison(dir.Path, train, test, Evaluation).Run(arms, observer);

        Assert.Equal(2, observer.Started);
        Assert.Equal(["mae", "mae-amt"], first.Select(r => r.Name));
        foreach (var r in first)
        {
            Assert.Equal(3, r.Epochs);
            Assert.True(double.IsFinite(r.FinalLoss));
            Assert.Equal(2, r.Evaluations.Count);
            Assert.All(r.Evaluations.Values, e => Assert.InRange(e.Probe!.Top1, 0, 1));
            Assert.Single(new CheckpointFolder(Path.Combine(dir.Path, r.Name, "checkpoints")).List());   // keep = 1
        }
        // Throwing shortens the encoder input of the AMT arm, and it saw different masks, so its encoder differs.
        Assert.True(first[1].EncoderTokens < first[0].EncoderTokens);
        Assert.NotEqual(first[0].FinalLoss, first[1].FinalLoss);

        // A second run finds every arm finished and trains nothing.
        var again = new MethodComparison(dir.Path, train, test, Evaluation).Run(arms, observer);
        Assert.Equal(2, observer.Started);
        Assert.Equal(first.Select(r => r.Evaluations["Cls"].Knn!.Top1), again.Select(r => r.Evaluations["Cls"].Knn!.Top1));

        string md = ComparisonReport.Render("test", "amt experiment", "synthetic", new ComparisonBudget(Epochs: 3), arms, again);
        Assert.Contains("| MAE + AMT vs MAE |", md);
        Assert.Contains("AMT r 0.45, t 0.4", md);
    }

    private sealed class CountingObserver : IComparisonObserver
    {
        public int Started { get; private set; }

        public IPretrainObserver? OnArmStart(ComparisonArm arm, bool resuming)
        {
            Started++;
            return null;
        }
    }
}
