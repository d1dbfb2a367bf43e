namespace AmtSharp.Training.FineTuning;

/// <summary>One optimizer step.</summary>
public sealed record FineTuneStep(int Epoch, int Batch, int BatchesPerEpoch, long Step, double Loss, double Lr, double ImagesPerSecond);

/// <summary>One epoch (a line of metrics.jsonl). The test fields are null in epochs without an evaluation.</summary>
public sealed record FineTuneEpoch(
    int Epoch,
    double TrainLoss,
    double Lr,
    double? TestLoss,
    double? TestTop1,
    double? TestTop5,
    double ImagesPerSecond,
    double TrainSeconds,
    double EvalSeconds);

/// <summary>What a fine-tuning run ended with (final.json). Top1/Top5/TestLoss are the last evaluation's.</summary>
public sealed record FineTuneResult(
    int EpochsCompleted,
    long Steps,
    double Top1,
    double Top5,
    double TestLoss,
    double BestTop1,
    int BestEpoch,
    IReadOnlyList<FineTuneEpoch> Epochs,
    string? Checkpoint,
    double TrainSeconds,
    double EvalSeconds,
    int TrainImages,
    int TestImages,
    int Classes);

/// <summary>Progress callbacks; every method is optional.</summary>
public interface IFineTuneObserver
{
    void OnStep(FineTuneStep step) { }

    void OnEpoch(FineTuneEpoch epoch) { }
}
