using AmtSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Evaluation;

/// <summary>
/// Settings of the converged probe. The L2 strengths span six decades around the usual optimum for standardised
/// features; the held-out share follows the study's protocol (10 % of the training features).
/// </summary>
public sealed record ConvergedProbeConfig(
    IReadOnlyList<double>? Lambdas = null,
    double HeldOutFraction = 0.1,
    int MaxIterations = 1000,
    double Tolerance = 1e-7,
    long Seed = 0)
{
    public static readonly IReadOnlyList<double> DefaultLambdas = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

    public IReadOnlyList<double> LambdaGrid => Lambdas is { Count: > 0 } l ? l : DefaultLambdas;
}

/// <summary>Held-out accuracy of one L2 strength during selection.</summary>
public sealed record LambdaScore(double Lambda, double HeldOutTop1);

/// <summary>The converged probe's outcome on the test split.</summary>
/// <param name="Top1">Test top-1 of the refit on all training features.</param>
/// <param name="Top5">Test top-5.</param>
/// <param name="Lambda">The L2 strength chosen on the held-out features.</param>
/// <param name="Selection">Held-out accuracy of every L2 strength tried.</param>
/// <param name="Fit">How the final fit ended (iterations, loss, convergence).</param>
public sealed record ConvergedProbeResult(double Top1, double Top5, double Lambda, IReadOnlyList<LambdaScore> Selection, FitSummary Fit);

/// <summary>
/// A linear probe trained to convergence: features standardised with the training statistics, multinomial logistic
/// regression (<see cref="LogisticRegression"/>), its L2 strength chosen on a seeded held-out share of the training
/// features, then refit on all of them. Unlike a short SGD/LARS probe its answer is the optimum of a convex
/// problem, so two encoders are compared on their features rather than on how far a schedule got.
/// </summary>
public sealed class ConvergedProbe(ConvergedProbeConfig config)
{
    public ConvergedProbeConfig Config { get; } = config;

    public ConvergedProbeResult Fit(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels, int classes)
    {
        using var scope = NewDisposeScope();
        var (lambda, selection) = SelectLambda(trainFeatures, trainLabels, classes);
        using var model = FitStandardised(trainFeatures, trainLabels, classes, lambda, out var fit, out var standardise);
        var logits = model.Logits(standardise(testFeatures));
        var labels = testLabels.to_type(ScalarType.Int64);
        return new ConvergedProbeResult(Accuracy.TopK(logits, labels, 1), Accuracy.TopK(logits, labels, 5), lambda, selection, fit);
    }

    /// <summary>Predicted classes [M] for test features after selection and refit (the dense probe needs labels, not accuracy).</summary>
    public Tensor Predict(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, int classes, out double lambda)
    {
        using var scope = NewDisposeScope();
        (lambda, _) = SelectLambda(trainFeatures, trainLabels, classes);
        using var model = FitStandardised(trainFeatures, trainLabels, classes, lambda, out _, out var standardise);
        return model.Logits(standardise(testFeatures)).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Fits every λ on 90 % of the training features (strongest penalty first, each warm-started from the previous)
    /// and returns the one with the best held-out accuracy; ties go to the stronger penalty.
    /// </summary>
    private (double Lambda, IReadOnlyList<LambdaScore> Scores) SelectLambda(Tensor features, Tensor labels, int classes)
    {
        using var scope = NewDisposeScope();
        long n = features.shape[0];
        long held = Math.Clamp((long)Math.Round(n * Config.HeldOutFraction), 1, n - 1);
        Tensor perm;
        using (var g = new Generator((ulong)Seeds.Derive(Config.Seed, Seeds.Purpose.Probe, 2)))
        {
            perm = randperm(n, generator: g);
        }
        var heldIdx = perm.narrow(0, 0, held);
        var fitIdx = perm.narrow(0, held, n - held);
        var fitX = features.index_select(0, fitIdx);
        var fitY = labels.index_select(0, fitIdx);
        var standardise = Standardiser(fitX);
        var fitZ = standardise(fitX);
        var heldZ = standardise(features.index_select(0, heldIdx));
        var heldY = labels.index_select(0, heldIdx).to_type(ScalarType.Int64);

        using var model = new LogisticRegression((int)features.shape[1], classes);
        var scores = new List<LambdaScore>();
        foreach (double lambda in Config.LambdaGrid.OrderByDescending(l => l))
        {
            model.Fit(fitZ, fitY, lambda, Config.MaxIterations, Config.Tolerance);
            using var logits = model.Logits(heldZ);
            scores.Add(new LambdaScore(lambda, Accuracy.TopK(logits, heldY, 1)));
        }
        var best = scores.OrderByDescending(s => s.HeldOutTop1).ThenByDescending(s => s.Lambda).First();
        return (best.Lambda, scores);
    }

    private LogisticRegression FitStandardised(Tensor features, Tensor labels, int classes, double lambda,
        out FitSummary fit, out Func<Tensor, Tensor> standardise)
    {
        standardise = Standardiser(features);
        var model = new LogisticRegression((int)features.shape[1], classes);
        fit = model.Fit(standardise(features), labels, lambda, Config.MaxIterations, Config.Tolerance);
        return model;
    }

    /// <summary>z = (x − mean) / std with the given set's statistics (a constant feature keeps std 1).</summary>
    private static Func<Tensor, Tensor> Standardiser(Tensor x)
    {
        var xd = x.to_type(ScalarType.Float64);
        var mean = xd.mean([0]);
        var std = xd.std(0, unbiased: false);
        std = where(std.gt(1e-12), std, ones_like(std));
        return t => t.to_type(ScalarType.Float64).sub(mean).div(std);
    }
}
