namespace AmtSharp.Training.Pretraining;

/// <summary>The loss became NaN or infinite; the run stops and the last checkpoint is left as it was.</summary>
public sealed class NonFiniteLossException(int epoch, int batch, long step, double loss, string? lastCheckpoint)
    : RunStoppedException($"loss is {loss} at epoch {epoch + 1}, batch {batch + 1} (step {step}); stopped. " + NonFinite.Advice(lastCheckpoint))
{
    public int Epoch { get; } = epoch;

    public long Step { get; } = step;

    /// <summary>The newest checkpoint written, all of whose values are finite (null when none was written yet).</summary>
    public string? LastFiniteCheckpoint { get; } = lastCheckpoint;
}

/// <summary>
/// The weights or optimizer state hold NaN or infinite values at a checkpoint: it is not written, so the newest
/// checkpoint on disk stays one a resume can use.
/// </summary>
public sealed class NonFiniteWeightsException(int epochsDone, long step, long count, IReadOnlyList<string> tensors, string? lastCheckpoint)
    : RunStoppedException($"{count} non-finite values in the weights or optimizer state after {epochsDone} epoch(s) (step {step}), in " +
        $"{string.Join(", ", tensors.Take(3))}{(tensors.Count > 3 ? $" and {tensors.Count - 3} more" : "")}; stopped without writing that checkpoint. " +
        NonFinite.Advice(lastCheckpoint))
{
    public long Count { get; } = count;

    /// <summary>The newest checkpoint written, all of whose values are finite (null when none was written yet).</summary>
    public string? LastFiniteCheckpoint { get; } = lastCheckpoint;
}

internal static class NonFinite
{
    public static string Advice(string? lastCheckpoint) => lastCheckpoint is null
        ? "No checkpoint was written yet: start again (--overwrite) with a lower --blr or with --clip-grad."
        : $"The last finite checkpoint is {lastCheckpoint}: continue from it with --resume and a lower --blr, or start again with --clip-grad.";
}
