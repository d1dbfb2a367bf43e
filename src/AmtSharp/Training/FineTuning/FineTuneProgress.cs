namespace AmtSharp.Training.FineTuning;

/// <summary>Where a <see cref="FineTuner.Train"/> call starts: epochs done, optimizer steps done, whether it resumed.</summary>
public sealed record FineTuneStart(int Epoch, long Step, int BatchesPerEpoch, bool Resumed);

/// <summary>One training batch (<see cref="Step"/> counts optimizer steps, which accumulation makes fewer).</summary>
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

/// <summary>
/// What a fine-tuning run ended with (final.json). Top1/Top5/TestLoss are the last evaluation's; <see cref="Finished"/>
/// is false for a run stopped early (to be resumed).
/// </summary>
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
    int Classes,
    bool Finished = true);

/// <summary>Progress callbacks; every method is optional.</summary>
public interface IFineTuneObserver
{
    /// <summary>Once per <see cref="FineTuner.Train"/> call, after any resume and before the first step.</summary>
    void OnStart(FineTuneStart start) { }

    void OnStep(FineTuneStep step) { }

    /// <summary>During an evaluation on the test split: images scored so far of <paramref name="total"/>.</summary>
    void OnEvaluationProgress(int epoch, long done, long total) { }

    void OnEpoch(FineTuneEpoch epoch) { }
}
