using AmtSharp.Core;
using AmtSharp.Training.Evaluation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

public sealed class ConvergedProbeTests
{
    /// <summary>
    /// Two points x = ±1 with labels 1 / 0 and penalty λ. By symmetry b = 0 and W = [[−w, w]], the objective is
    /// log(1 + e^(−2w)) + λw², and its minimum solves σ(−2w) = λw — one equation the test solves by bisection.
    /// </summary>
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.01)]
    public void MatchesTheClosedFormOptimumOfASymmetricSeparableProblem(double lambda)
    {
        using var x = tensor(new double[] { 1, -1 }).reshape(2, 1);
        using var y = tensor(new long[] { 1, 0 });
        using var model = new LogisticRegression(1, 2);
        var fit = model.Fit(x, y, lambda, tolerance: 1e-10);

        double lo = 0, hi = 100;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (1 / (1 + Math.Exp(2 * mid)) > lambda * mid)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        double w = (lo + hi) / 2;
        Assert.True(fit.Converged, $"not converged: {fit}");
        Assert.Equal(-w, model.Weight[0, 0].item<double>(), 6);
        Assert.Equal(w, model.Weight[0, 1].item<double>(), 6);
        Assert.Equal(0, model.Bias[0].item<double>() - model.Bias[1].item<double>(), 6);
        Assert.Equal(Math.Log(1 + Math.Exp(-2 * w)) + lambda * w * w, fit.Loss, 8);
    }

    /// <summary>At the optimum of a 3-class problem the gradient vanishes: Xᵀ(P − Y)/n + λW = 0 and Σ(P − Y) = 0.</summary>
    [Fact]
    public void SatisfiesTheOptimalityConditionsOnAMulticlassProblem()
    {
        var (xf, y) = SyntheticFeatures.Clusters(3, 300, 5, 3, spread: 2.0);
        using var _x = xf;
        using var _y = y;
        using var x = xf.to_type(ScalarType.Float64);
        using var model = new LogisticRegression(5, 3);
        const double lambda = 1e-3;
        var fit = model.Fit(x, y, lambda, tolerance: 1e-9);

        using var p = model.Logits(x).softmax(1);
        using var diff = p - nn.functional.one_hot(y, 3).to_type(ScalarType.Float64);
        using var gw = x.t().matmul(diff) / 300.0 + model.Weight * lambda;
        Assert.True(fit.Converged);
        Assert.True(gw.abs().max().item<double>() < 1e-6, $"weight gradient {gw.abs().max().item<double>()}");
        Assert.True(diff.sum([0]).abs().max().item<double>() / 300.0 < 1e-6);
    }

    [Fact]
    public void IsAtLeastAsAccurateAsTheLarsProbeOnBadlyScaledOverlappingClasses()
    {
        // Overlapping clusters whose dimensions differ in scale by 10⁴: a short LARS schedule stops short, the optimum does not.
        var (trainX, trainY) = Harder(1, 2000);
        var (testX, testY) = Harder(1, 1000, offset: 1);
        using var a = trainX;
        using var b = trainY;
        using var c = testX;
        using var d = testY;
        var lars = new LinearProbe(new LinearProbeConfig(Epochs: 10, WarmupEpochs: 1, BatchSize: 256, BaseLr: 4.0)).Fit(trainX, trainY, testX, testY, 6);
        var converged = new ConvergedProbe(new ConvergedProbeConfig()).Fit(trainX, trainY, testX, testY, 6);
        Assert.True(converged.Top1 >= lars.Top1, $"converged {converged.Top1:P1} < LARS {lars.Top1:P1}");
        Assert.True(converged.Top1 > 0.5, $"converged {converged.Top1:P1}");
        Assert.Equal(ConvergedProbeConfig.DefaultLambdas.Count, converged.Selection.Count);
        Assert.Contains(converged.Lambda, ConvergedProbeConfig.DefaultLambdas);
    }

    [Fact]
    public void OneSeedGivesTheSameAnswerAndTheSeedOnlyMovesTheHeldOutSplit()
    {
        var (x, y) = SyntheticFeatures.Clusters(5, 400, 8, 4, spread: 3.0);
        using var _x = x;
        using var _y = y;
        var first = new ConvergedProbe(new ConvergedProbeConfig(Seed: 1)).Fit(x, y, x, y, 4);
        var again = new ConvergedProbe(new ConvergedProbeConfig(Seed: 1)).Fit(x, y, x, y, 4);
        Assert.Equal(first.Top1, again.Top1);
        Assert.Equal(first.Lambda, again.Lambda);
        Assert.Equal(first.Selection, again.Selection);
    }

    [Fact]
    public void PredictGivesOneClassPerTestRow()
    {
        var (x, y) = SyntheticFeatures.Clusters(6, 200, 4, 3);
        using var _x = x;
        using var _y = y;
        using var predicted = new ConvergedProbe(new ConvergedProbeConfig(Lambdas: [1e-3])).Predict(x, y, x, 3, out double lambda);
        Assert.Equal(1e-3, lambda);
        Assert.Equal([200L], predicted.shape);
        Assert.True(predicted.eq(y).to_type(ScalarType.Float32).mean().item<float>() > 0.95f);
    }

    [Fact]
    public void KeepsTheLiveTensorCountFlat()
    {
        var (x, y) = SyntheticFeatures.Clusters(7, 300, 6, 3, spread: 2.0);
        using var _x = x;
        using var _y = y;
        var probe = new ConvergedProbe(new ConvergedProbeConfig(Lambdas: [1e-2, 1e-4]));
        probe.Fit(x, y, x, y, 3);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        probe.Fit(x, y, x, y, 3);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    // Six overlapping classes in 16 dimensions, each dimension scaled by a factor from 10⁻² to 10².
    private static (Tensor X, Tensor Y) Harder(long seed, int n, long offset = 0)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)Seeds.Derive(seed, Seeds.Purpose.Synthetic, 7));
        var centres = randn(new long[] { 6, 16 }, generator: g);
        using var g2 = new Generator((ulong)Seeds.Derive(seed, Seeds.Purpose.Synthetic, 8 + offset));
        var y = randint(0, 6, new long[] { n }, generator: g2);
        var x = centres.index_select(0, y) + randn(new long[] { n, 16 }, generator: g2) * 0.8;
        var scale = pow(10.0, linspace(-2, 2, 16));
        return ((x * scale).MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }
}
