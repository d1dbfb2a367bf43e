namespace AmtSharp.Training.Pretraining;

/// <summary>One optimisation step, reported to progress displays.</summary>
public sealed record StepReport(int Epoch, int Batch, int BatchesPerEpoch, long GlobalStep, double Loss, double Lr, double ImagesPerSecond);

/// <summary>One finished epoch (also a line of metrics.jsonl).</summary>
public sealed record EpochReport(
    int Epoch,
    double Loss,
    double Lr,
    double ImagesPerSecond,
    double TrainSeconds,
    double RefreshSeconds,
    string Masking,
    int EncoderTokens,
    int DecoderTokens,
    Amt.PriorStatistics? Prior = null,
    Amt.MaskingDiagnostics? MaskingDiagnostics = null);

/// <summary>Receives progress; all members optional.</summary>
public interface IPretrainObserver
{
    void OnStep(StepReport step) { }

    void OnRefreshStart(int epoch, int images) { }

    void OnEpoch(EpochReport epoch) { }
}
