using AmtSharp.Core;
using AmtSharp.Training.Evaluation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

/// <summary>Synthetic features for the evaluation tests.</summary>
internal static class SyntheticFeatures
{
    /// <summary>Gaussian clusters, one per class, well apart: (features [n, d], labels [n]).</summary>
    public static (Tensor x, Tensor y) Clusters(long seed, int n, int d, int classes, double spread = 0.5)
    {
        using var g = new Generator((ulong)Seeds.Derive(seed, Seeds.Purpose.Synthetic, 0));
        using var scope = torch.NewDisposeScope();
        var centres = torch.randn(new long[] { classes, d }, generator: g) * 3.0;
        var y = torch.randint(0, classes, new long[] { n }, generator: g);
        var x = centres.index_select(0, y) + torch.randn(new long[] { n, d }, generator: g) * spread;
        return (x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    /// <summary>Features with labels independent of them.</summary>
    public static (Tensor x, Tensor y) Noise(long seed, int n, int d, int classes)
    {
        using var g = new Generator((ulong)Seeds.Derive(seed, Seeds.Purpose.Synthetic, 1));
        return (torch.randn(new long[] { n, d }, generator: g), torch.randint(0, classes, new long[] { n }, generator: g));
    }
}

public sealed class AccuracyTests
{
    [Fact]
    public void TopKCountsLabelAmongHighestScores()
    {
        using var scores = torch.tensor(new float[] { 0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f }).reshape(2, 3);
        using var labels = torch.tensor(new long[] { 2, 1 });
        Assert.Equal(0.0, Accuracy.TopK(scores, labels, 1));
        Assert.Equal(1.0, Accuracy.TopK(scores, labels, 2));
        Assert.Equal(1.0, Accuracy.TopK(scores, labels, 5)); // k capped at C
        Assert.Throws<ArgumentException>(() => Accuracy.TopK(scores, labels.narrow(0, 0, 1), 1));
    }
}

public sealed class KnnClassifierTests
{
    [Fact]
    public void SeparableClustersAreClassifiedAlmostPerfectly()
    {
        var (xTrain, yTrain) = SyntheticFeatures.Clusters(1, 600, 16, 5);
        var (xTest, yTest) = SyntheticFeatures.Clusters(1, 900, 16, 5); // same centres (same seed), new draw tail
        using var _a = xTrain; using var _b = yTrain; using var _c = xTest; using var _d = yTest;
        var knn = new KnnClassifier(new KnnConfig(ChunkSize: 64)); // several chunks, last one partial
        var r = knn.Evaluate(xTrain, yTrain, xTest.narrow(0, 600, 300), yTest.narrow(0, 600, 300), 5);
        Assert.True(r.Top1 > 0.99, $"top-1 {r.Top1}");
        Assert.Equal(1.0, r.Top5);
        Assert.Equal(300, r.Count);
    }

    [Fact]
    public void RandomLabelsGiveChance()
    {
        var (xTrain, yTrain) = SyntheticFeatures.Noise(2, 1000, 32, 10);
        var (xTest, yTest) = SyntheticFeatures.Noise(3, 1000, 32, 10);
        using var _a = xTrain; using var _b = yTrain; using var _c = xTest; using var _d = yTest;
        var r = new KnnClassifier().Evaluate(xTrain, yTrain, xTest, yTest, 10);
        Assert.InRange(r.Top1, 0.05, 0.16);
        Assert.InRange(r.Top5, 0.4, 0.6);
    }

}

public sealed class LinearProbeTests
{
    internal static readonly LinearProbeConfig Small = new(Epochs: 6, WarmupEpochs: 1, BatchSize: 64, BaseLr: 0.1, Seed: 7);

    [Fact]
    public void ReachesHighAccuracyOnSeparableFeatures()
    {
        var (x, y) = SyntheticFeatures.Clusters(5, 1000, 16, 4);
        using var _x = x; using var _y = y;
        // LARS's trust ratio keeps steps tiny relative to ‖W‖, so a short run needs MAE's large-batch lr scale.
        var result = new LinearProbe(Small with { BaseLr = 40 }).Fit(x.narrow(0, 0, 800), y.narrow(0, 0, 800), x.narrow(0, 800, 200), y.narrow(0, 800, 200), 4);
        Assert.Equal(6, result.Epochs.Count);
        Assert.True(result.Top1 > 0.95, $"top-1 {result.Top1}");
        Assert.Equal(1.0, result.Top5);
        Assert.True(result.Epochs[^1].TrainLoss < result.Epochs[0].TrainLoss);
    }

    [Fact]
    public void SgdOptionAlsoLearns()
    {
        var (x, y) = SyntheticFeatures.Clusters(6, 600, 16, 4);
        using var _x = x; using var _y = y;
        var result = new LinearProbe(Small with { Optimizer = ProbeOptimizer.Sgd }).Fit(x.narrow(0, 0, 500), y.narrow(0, 0, 500), x.narrow(0, 500, 100), y.narrow(0, 500, 100), 4);
        Assert.True(result.Top1 > 0.95, $"top-1 {result.Top1}");
    }

    [Fact]
    public void SameSeedReproducesExactly()
    {
        var (x, y) = SyntheticFeatures.Clusters(8, 300, 8, 3, spread: 2.0);
        using var _x = x; using var _y = y;
        var a = new LinearProbe(Small).Fit(x, y, x, y, 3);
        var b = new LinearProbe(Small).Fit(x, y, x, y, 3);
        var c = new LinearProbe(Small with { Seed = 8 }).Fit(x, y, x, y, 3);
        Assert.Equal(a.Epochs, b.Epochs); // records: value equality, bitwise on doubles
        Assert.NotEqual(a.Epochs.Select(e => e.TrainLoss), c.Epochs.Select(e => e.TrainLoss));
    }

    [Fact]
    public void LrFollowsWarmupThenCosine()
    {
        var (x, y) = SyntheticFeatures.Clusters(10, 128, 4, 2);
        using var _x = x; using var _y = y;
        var r = new LinearProbe(new LinearProbeConfig(Epochs: 4, WarmupEpochs: 2, BatchSize: 64, BaseLr: 0.1)).Fit(x, y, x, y, 2);
        double peak = 0.1 * 64 / 256;
        // Last iteration of epoch 0 is τ = 0.5 (2 iterations per epoch).
        Assert.Equal(peak * 0.5 / 2, r.Epochs[0].Lr, 12);
        Assert.True(r.Epochs[3].Lr < r.Epochs[2].Lr);
    }
}

/// <summary>Reads the process-wide live-tensor count, so it runs alone (<see cref="GlobalStateCollection"/>).</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class KnnTensorCountTests
{
    [Fact]
    public void PredictMatchesEvaluateAndLeavesNoTensorsBehind()
    {
        var (x, y) = SyntheticFeatures.Clusters(4, 200, 8, 4);
        using var _x = x; using var _y = y;
        var knn = new KnnClassifier(new KnnConfig(K: 5, ChunkSize: 50));
        knn.Evaluate(x, y, x, y, 4); // warm-up
        GC.Collect();                // earlier garbage is finalised now, not between the two counts
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        var r = knn.Evaluate(x, y, x, y, 4);
        Assert.Equal(before, torch.Tensor.TotalCount);
        using var votes = knn.Predict(x, y, x, 4);
        Assert.Equal(new long[] { 200, 4 }, votes.shape);
        Assert.Equal(r.Top1, Accuracy.TopK(votes, y, 1));
    }
}

/// <summary>Reads the process-wide live-tensor count, so it runs alone (<see cref="GlobalStateCollection"/>).</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class LinearProbeTensorCountTests
{
    [Fact]
    public void LiveTensorCountStaysFlatAcrossEpochs()
    {
        var (x, y) = SyntheticFeatures.Clusters(9, 256, 8, 3);
        using var _x = x; using var _y = y;
        var counts = new List<long>();
        var live = new List<long>();
        long Leftover(int epochs)
        {
            // Earlier garbage is finalised now, not in the middle of the run.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = torch.Tensor.TotalCount;
            new LinearProbe(LinearProbeTests.Small with { Epochs = epochs }).Fit(x, y, x, y, 3, _ =>
            {
                counts.Add(torch.Tensor.TotalCount);
                live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            });
            return torch.Tensor.TotalCount - before;
        }

        long shortRun = Leftover(1);
        counts.Clear();
        live.Clear();
        long longRun = Leftover(5);

        Assert.All(counts, c => Assert.Equal(counts[0], c));
        Assert.All(live, c => Assert.Equal(live[0], c));
        // Whatever is left (TorchSharp's Linear constructor leaves init aliases to the GC) does not grow with epochs.
        Assert.Equal(shortRun, longRun);
        Assert.InRange(longRun, 0, 4);
    }
}
