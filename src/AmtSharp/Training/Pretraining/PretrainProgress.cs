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
    Masking.MaskingDiagnostics? MaskingDiagnostics = null,
    Amt.ForegroundOverlap? ForegroundOverlap = null,
    double? RefreshImagesPerSecond = null)
{
    /// <summary>A prior refresh's cost per image over a training step's (both wall time per image); null without a refresh.</summary>
    public double? RefreshCostRatio => RefreshImagesPerSecond is > 0 && ImagesPerSecond > 0 ? ImagesPerSecond / RefreshImagesPerSecond : null;
}

/// <summary>Where a call to <see cref="Pretrainer.Train"/> starts: epoch 0, batch 0 for a fresh run, later after a resume.</summary>
public sealed record StartReport(int Epoch, int Batch, long GlobalStep, int BatchesPerEpoch, bool Resumed);

/// <summary>Receives progress; all members optional.</summary>
public interface IPretrainObserver
{
    /// <summary>Once per <see cref="Pretrainer.Train"/> call, after any resume and before the first step.</summary>
    void OnStart(StartReport start) { }

    void OnStep(StepReport step) { }

    void OnRefreshStart(int epoch, int images) { }

    /// <summary>During a prior refresh: <paramref name="done"/> of <paramref name="images"/> maps computed.</summary>
    void OnRefreshProgress(int epoch, int done, int images) { }

    void OnEpoch(EpochReport epoch) { }
}

/// <summary>Several observers behind one, called in the order they were added.</summary>
public sealed class PretrainObservers : IPretrainObserver
{
    private readonly List<IPretrainObserver> observers = [];

    public PretrainObservers(params IEnumerable<IPretrainObserver?> observers)
    {
        foreach (var o in observers)
        {
            Add(o);
        }
    }

    public void Add(IPretrainObserver? observer)
    {
        if (observer is not null)
        {
            observers.Add(observer);
        }
    }

    public void OnStart(StartReport start) => observers.ForEach(o => o.OnStart(start));

    public void OnStep(StepReport step) => observers.ForEach(o => o.OnStep(step));

    public void OnRefreshStart(int epoch, int images) => observers.ForEach(o => o.OnRefreshStart(epoch, images));

    public void OnRefreshProgress(int epoch, int done, int images) => observers.ForEach(o => o.OnRefreshProgress(epoch, done, images));

    public void OnEpoch(EpochReport epoch) => observers.ForEach(o => o.OnEpoch(epoch));
}
