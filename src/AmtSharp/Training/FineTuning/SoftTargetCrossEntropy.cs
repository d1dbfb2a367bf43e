using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AmtSharp.Training.FineTuning;

/// <summary>Cross-entropy against soft targets (mixed and/or smoothed labels): mean over the batch of −Σ_c t_c · log softmax(z)_c.</summary>
public static class SoftTargetCrossEntropy
{
    /// <summary>logits [B, C], targets [B, C] whose rows sum to 1; returns a scalar.</summary>
    public static Tensor Loss(Tensor logits, Tensor targets)
    {
        if (!logits.shape.SequenceEqual(targets.shape) || logits.ndim != 2)
        {
            throw new ArgumentException($"expected logits and targets of the same shape [B, C]; got [{string.Join(", ", logits.shape)}] and [{string.Join(", ", targets.shape)}]");
        }
        using var scope = NewDisposeScope();
        return targets.mul(F.log_softmax(logits, 1)).sum(1).neg().mean().MoveToOuterDisposeScope();
    }
}
