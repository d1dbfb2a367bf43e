using AmtSharp.Data;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Training.Evaluation;

/// <summary>Settings of the frozen-feature evaluations.</summary>
public sealed record FrozenEvaluationConfig(
    LinearProbeConfig Probe,
    KnnConfig Knn,
    FeaturePooling Pooling = FeaturePooling.Cls,
    int BatchSize = 128,
    int Workers = 2,
    bool RunProbe = true,
    bool RunKnn = true);

/// <summary>Outcome of the frozen-feature evaluations on the test split.</summary>
public sealed record FrozenEvaluationResult(ProbeResult? Probe, KnnResult? Knn, int TrainImages, int TestImages, int Classes);

/// <summary>Linear probe and kNN on features of a frozen encoder, computed once per split.</summary>
public static class FrozenEvaluation
{
    public static FrozenEvaluationResult Run(VisionTransformer encoder, IImageSource train, IImageSource test,
        FrozenEvaluationConfig config, Action<ProbeEpochMetrics>? onProbeEpoch = null, Device? device = null)
    {
        int classes = train.ClassNames.Count;
        if (classes < 2)
        {
            throw new ConfigException("data", $"'{train.Name}' has no labels (at least two classes are needed to evaluate)");
        }
        var (trainF, trainY) = FeatureExtractor.Extract(encoder, train, config.Pooling, config.BatchSize, config.Workers, device);
        var (testF, testY) = FeatureExtractor.Extract(encoder, test, config.Pooling, config.BatchSize, config.Workers, device);
        using (trainF)
        using (trainY)
        using (testF)
        using (testY)
        {
            var probe = config.RunProbe ? new LinearProbe(config.Probe).Fit(trainF, trainY, testF, testY, classes, onProbeEpoch) : null;
            var knn = config.RunKnn ? new KnnClassifier(config.Knn).Evaluate(trainF, trainY, testF, testY, classes) : null;
            return new FrozenEvaluationResult(probe, knn, train.Count, test.Count, classes);
        }
    }
}
