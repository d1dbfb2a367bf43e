using AmtSharp.Data;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Training.Evaluation;

/// <summary>Settings of the frozen-feature evaluations; the converged probe runs when <paramref name="Converged"/> is set.</summary>
public sealed record FrozenEvaluationConfig(
    LinearProbeConfig Probe,
    KnnConfig Knn,
    FeaturePooling Pooling = FeaturePooling.Cls,
    int BatchSize = 128,
    int Workers = 2,
    bool RunProbe = true,
    bool RunKnn = true,
    ConvergedProbeConfig? Converged = null);

/// <summary>Outcome of the frozen-feature evaluations on the test split.</summary>
public sealed record FrozenEvaluationResult(ProbeResult? Probe, KnnResult? Knn, int TrainImages, int TestImages, int Classes,
    ConvergedProbeResult? Converged = null);

/// <summary>Linear probe and kNN on features of a frozen encoder, computed once per split.</summary>
public static class FrozenEvaluation
{
    public static FrozenEvaluationResult Run(VisionTransformer encoder, IImageSource train, IImageSource test,
        FrozenEvaluationConfig config, Action<ProbeEpochMetrics>? onProbeEpoch = null, Device? device = null) =>
        RunPooled(encoder, train, test, config, [config.Pooling], onProbeEpoch, device)[config.Pooling];

    /// <summary>The evaluations for several poolings, from one feature-extraction pass per split.</summary>
    public static IReadOnlyDictionary<FeaturePooling, FrozenEvaluationResult> RunPooled(VisionTransformer encoder, IImageSource train,
        IImageSource test, FrozenEvaluationConfig config, IReadOnlyList<FeaturePooling> poolings,
        Action<ProbeEpochMetrics>? onProbeEpoch = null, Device? device = null, Action<FeaturePooling>? onPooling = null)
    {
        int classes = train.ClassNames.Count;
        if (classes < 2)
        {
            throw new ConfigException("data", $"'{train.Name}' has no labels (at least two classes are needed to evaluate)");
        }
        var (trainF, trainY) = FeatureExtractor.ExtractPooled(encoder, train, poolings, config.BatchSize, config.Workers, device);
        var (testF, testY) = FeatureExtractor.ExtractPooled(encoder, test, poolings, config.BatchSize, config.Workers, device);
        try
        {
            var results = new Dictionary<FeaturePooling, FrozenEvaluationResult>();
            foreach (var pooling in poolings.Distinct())
            {
                onPooling?.Invoke(pooling);
                var (xTrain, xTest) = (trainF[pooling], testF[pooling]);
                var probe = config.RunProbe ? new LinearProbe(config.Probe).Fit(xTrain, trainY, xTest, testY, classes, onProbeEpoch) : null;
                var knn = config.RunKnn ? new KnnClassifier(config.Knn).Evaluate(xTrain, trainY, xTest, testY, classes) : null;
                var converged = config.Converged is { } c ? new ConvergedProbe(c).Fit(xTrain, trainY, xTest, testY, classes) : null;
                results[pooling] = new FrozenEvaluationResult(probe, knn, train.Count, test.Count, classes, converged);
            }
            return results;
        }
        finally
        {
            foreach (var t in trainF.Values.Concat(testF.Values).Append(trainY).Append(testY))
            {
                t.Dispose();
            }
        }
    }
}
