using System.Diagnostics;
using System.Text.Json;
using AmtSharp.Data;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Experiments;

/// <summary>One pretraining recipe of a comparison, e.g. "mae-amt".</summary>
public sealed record ComparisonArm(string Name, string Label, PretrainConfig Config);

/// <summary>The frozen-encoder evaluations run after each arm's pretraining.</summary>
public sealed record ComparisonEvaluation(FrozenEvaluationConfig Frozen, IReadOnlyList<FeaturePooling> Poolings);

/// <summary>What one arm ended with; written to the arm's folder as arm-result.json.</summary>
public sealed record ArmResult(
    string Name,
    string Label,
    int Epochs,
    long Steps,
    double FinalLoss,
    double TrainSeconds,
    double RefreshSeconds,
    double WallSeconds,
    double ImagesPerSecond,
    int EncoderTokens,
    int DecoderTokens,
    IReadOnlyDictionary<string, FrozenEvaluationResult> Evaluations);

/// <summary>Receives progress of a comparison.</summary>
public interface IComparisonObserver
{
    /// <summary>Progress display for one arm's pretraining.</summary>
    IPretrainObserver? OnArmStart(ComparisonArm arm, bool resuming) => null;

    void OnEvaluationStart(ComparisonArm arm, FeaturePooling pooling) { }

    void OnArmDone(ArmResult result) { }
}

/// <summary>
/// Pretrains several recipes on one dataset with the same budget and seed, then evaluates each frozen encoder
/// (linear probe and kNN on the test split). Each arm lives in its own run folder; an interrupted comparison run
/// again continues exactly where it stopped: finished arms are read back, a stopped pretraining resumes from its
/// newest checkpoint.
/// </summary>
public sealed class MethodComparison(string outputDir, IImageSource train, IImageSource test, ComparisonEvaluation evaluation)
{
    public const string ArmResultFile = "arm-result.json";

    public IReadOnlyList<ArmResult> Run(IReadOnlyList<ComparisonArm> arms, IComparisonObserver? observer = null,
        CancellationToken cancellation = default)
    {
        if (arms.Select(a => a.Name).Distinct().Count() != arms.Count)
        {
            throw new ArgumentException("arm names must be unique", nameof(arms));
        }
        return arms.Select(arm => RunArm(arm, observer, cancellation)).ToList();
    }

    private ArmResult RunArm(ComparisonArm arm, IComparisonObserver? observer, CancellationToken cancellation)
    {
        string folder = Path.Combine(outputDir, arm.Name);
        string resultFile = Path.Combine(folder, ArmResultFile);
        if (File.Exists(resultFile))
        {
            var done = JsonSerializer.Deserialize<ArmResult>(File.ReadAllText(resultFile), RunFolder.JsonOptions)
                ?? throw new CheckpointException(resultFile, "is empty");
            observer?.OnArmDone(done);
            return done;
        }

        bool resuming = new CheckpointFolder(Path.Combine(folder, "checkpoints")).List().Count > 0;
        var clock = Stopwatch.StartNew();
        PretrainResult pretrain;
        using (var trainer = new Pretrainer(arm.Config, train, folder, observer?.OnArmStart(arm, resuming)))
        {
            pretrain = trainer.Train(resume: resuming, cancellation: cancellation);
            trainer.Run!.WriteFinal(pretrain);
        }
        double wall = clock.Elapsed.TotalSeconds;

        var evaluations = new Dictionary<string, FrozenEvaluationResult>();
        using (var model = PretrainedModel.Load(folder))
        {
            foreach (var pooling in evaluation.Poolings)
            {
                observer?.OnEvaluationStart(arm, pooling);
                var device = new TorchSharp.torch.Device(arm.Config.Device);
                evaluations[pooling.ToString()] = FrozenEvaluation.Run(model.Model.Encoder, train, test,
                    evaluation.Frozen with { Pooling = pooling }, device: device);
            }
        }

        var last = pretrain.Epochs[^1];
        double trained = pretrain.TrainSeconds;
        long images = (long)pretrain.Epochs.Count * (train.Count / arm.Config.BatchSize) * arm.Config.BatchSize;
        var result = new ArmResult(arm.Name, arm.Label, pretrain.EpochsCompleted, pretrain.Steps, pretrain.FinalLoss,
            pretrain.TrainSeconds, pretrain.RefreshSeconds,
            // Wall time of an arm resumed across sessions is the saved training time, not this session's clock.
            resuming ? pretrain.TrainSeconds + pretrain.RefreshSeconds : wall,
            images / Math.Max(trained, 1e-9), last.EncoderTokens, last.DecoderTokens, evaluations);
        File.WriteAllText(resultFile, JsonSerializer.Serialize(result, RunFolder.JsonOptions));
        observer?.OnArmDone(result);
        return result;
    }
}
