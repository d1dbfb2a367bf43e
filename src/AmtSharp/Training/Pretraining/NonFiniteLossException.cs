namespace AmtSharp.Training.Pretraining;

/// <summary>The loss became NaN or infinite; the run stops and the last checkpoint is left as it was.</summary>
public sealed class NonFiniteLossException(int epoch, int batch, long step, double loss, string? lastCheckpoint)
    : Exception($"loss is {loss} at epoch {epoch}, batch {batch} (step {step}); stopped. " +
        (lastCheckpoint is null ? "No checkpoint was written yet." : $"The last good checkpoint is {lastCheckpoint}.") +
        " Lower --blr or enable --clip-grad.")
{
    public int Epoch { get; } = epoch;

    public long Step { get; } = step;
}
