namespace AmtSharp.Core;

/// <summary>
/// Receives the progress of a long phase that is not a training step (feature extraction, probe epochs, kNN, a prior
/// pass), so a display can show that work is going on; called after each batch, chunk or epoch.
/// </summary>
public interface IPhaseProgress
{
    /// <param name="phase">What runs, e.g. "features of synthetic-train".</param>
    /// <param name="done">Units done so far (images, epochs, queries).</param>
    /// <param name="total">Units in the phase.</param>
    /// <param name="unit">What a unit is ("images", "epochs").</param>
    void Report(string phase, long done, long total, string unit);
}
