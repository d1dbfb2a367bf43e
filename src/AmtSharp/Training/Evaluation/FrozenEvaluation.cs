using AmtSharp.Core;
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

/// <summary>Features [N, D] / [M, D] and labels of both splits, on which the probes and kNN run.</summary>
public sealed record EvaluationFeatures(Tensor TrainFeatures, Tensor TrainLabels, Tensor TestFeatures, Tensor TestLabels, int Classes);

/// <summary>Outcome of the frozen-feature evaluations on the test split.</summary>
public sealed record FrozenEvaluationResult(ProbeResult? Probe, KnnResult? Knn, int TrainImages, int TestImages, int Classes,
    ConvergedProbeResult? Converged = null);

/// <summary>Linear probe and kNN on features of a frozen encoder, computed once per split.</summary>
public static class FrozenEvaluation
{
    public static FrozenEvaluationResult Run(VisionTransformer encoder, IImageSource train, IImageSource test,
        FrozenEvaluationConfig config, Action<ProbeEpochMetrics>? onProbeEpoch = null, Device? device = null,
        IPhaseProgress? progress = null) =>
        RunPooled(encoder, train, test, config, [config.Pooling], onProbeEpoch, device, progress: progress)[config.Pooling];

    /// <summary>The evaluations for several poolings, from one feature-extraction pass per split.</summary>
    public static IReadOnlyDictionary<FeaturePooling, FrozenEvaluationResult> RunPooled(VisionTransformer encoder, IImageSource train,
        IImageSource test, FrozenEvaluationConfig config, IReadOnlyList<FeaturePooling> poolings,
        Action<ProbeEpochMetrics>? onProbeEpoch = null, Device? device = null, Action<FeaturePooling>? onPooling = null,
        IPhaseProgress? progress = null)
    {
        int classes = train.ClassNames.Count;
        if (classes < 2)
        {
            throw new ConfigException("Data", $"'{train.Name}' has no labels (at least two classes are needed to evaluate)");
        }
        var (trainF, trainY) = FeatureExtractor.ExtractPooled(encoder, train, poolings, config.BatchSize, config.Workers, device, progress: progress);
        var (testF, testY) = FeatureExtractor.ExtractPooled(encoder, test, poolings, config.BatchSize, config.Workers, device, progress: progress);
        try
        {
            var results = new Dictionary<FeaturePooling, FrozenEvaluationResult>();
            foreach (var pooling in poolings.Distinct())
            {
                onPooling?.Invoke(pooling);
                results[pooling] = OnFeatures(new EvaluationFeatures(trainF[pooling], trainY, testF[pooling], testY, classes), config, onProbeEpoch, progress);
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

    /// <summary>The evaluations on features already extracted (of an encoder, or raw pixels); the caller keeps them.</summary>
    public static FrozenEvaluationResult OnFeatures(EvaluationFeatures f, FrozenEvaluationConfig config,
        Action<ProbeEpochMetrics>? onProbeEpoch = null, IPhaseProgress? progress = null)
    {
        ProbeResult? probe = null;
        if (config.RunProbe)
        {
            int epochs = config.Probe.Epochs;
            probe = new LinearProbe(config.Probe).Fit(f.TrainFeatures, f.TrainLabels, f.TestFeatures, f.TestLabels, f.Classes, m =>
            {
                onProbeEpoch?.Invoke(m);
                progress?.Report("linear probe", m.Epoch + 1, epochs, "epochs");
            });
        }
        var knn = config.RunKnn ? new KnnClassifier(config.Knn).Evaluate(f.TrainFeatures, f.TrainLabels, f.TestFeatures, f.TestLabels, f.Classes, progress) : null;
        var converged = config.Converged is { } c ? new ConvergedProbe(c).Fit(f.TrainFeatures, f.TrainLabels, f.TestFeatures, f.TestLabels, f.Classes) : null;
        return new FrozenEvaluationResult(probe, knn, (int)f.TrainLabels.shape[0], (int)f.TestLabels.shape[0], f.Classes, converged);
    }
}
