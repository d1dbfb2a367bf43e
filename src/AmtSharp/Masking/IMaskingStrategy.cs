using static TorchSharp.torch;

namespace AmtSharp.Masking;

/// <summary>What a strategy gets for one batch.</summary>
/// <param name="BatchSize">Samples in the batch.</param>
/// <param name="Generator">The step's random generator (derived from the run seed and the step).</param>
/// <param name="Weights">Optional per-sample cell weights [B, cells] (the AMT prior mapped onto each crop); strategies that do not use them ignore them.</param>
public sealed record MaskRequest(long BatchSize, Generator Generator, Tensor? Weights = null);

/// <summary>Makes a <see cref="MaskPlan"/> for a batch. Random masking and AMT both implement it; MAE and SimMIM consume plans.</summary>
public interface IMaskingStrategy
{
    /// <summary>The grid draws are made on.</summary>
    MaskGrid Grid { get; }

    /// <summary>Cells masked, thrown and visible per sample.</summary>
    MaskCounts Counts { get; }

    /// <summary>Whether <see cref="MaskRequest.Weights"/> is read.</summary>
    bool UsesWeights { get; }

    MaskPlan Plan(MaskRequest request);
}
