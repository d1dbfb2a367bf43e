namespace AmtSharp.Training.Pretraining;

/// <summary>The loss became NaN or infinite; the run stops and the last checkpoint is left as it was.</summary>
public sealed class NonFiniteLossException(int epoch, int batch, long step, double loss, string? lastCheckpoint)
    : RunStoppedException($"loss is {loss} at epoch {epoch + 1}, batch {batch + 1} (step {step}); stopped.", lastCheckpoint)
{
    public int Epoch { get; } = epoch;

    public long Step { get; } = step;
}

/// <summary>
/// The weights or optimizer state hold NaN or infinite values at a checkpoint: it is not written, so the newest
/// checkpoint on disk stays one a resume can use.
/// </summary>
public sealed class NonFiniteWeightsException(int epochsDone, long step, long count, IReadOnlyList<string> tensors, string? lastCheckpoint)
    : RunStoppedException($"{count} non-finite values in the weights or optimizer state after {epochsDone} epoch(s) (step {step}), in " +
        $"{string.Join(", ", tensors.Take(3))}{(tensors.Count > 3 ? $" and {tensors.Count - 3} more" : "")}; stopped without writing that checkpoint.",
        lastCheckpoint)
{
    public long Count { get; } = count;
}
