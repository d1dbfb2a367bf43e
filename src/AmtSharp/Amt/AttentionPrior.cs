using static TorchSharp.torch;

namespace AmtSharp.Amt;

/// <summary>
/// AMT's prior from the last block's attention: the [CLS] query row over the L patch keys, min–max normalised per
/// head (a flat head gives 0, not NaN), averaged over heads. One map in [0, 1] on the patch grid per image.
/// </summary>
public static class AttentionPrior
{
    /// <summary>Heads whose range is below this are treated as flat.</summary>
    public const double RangeGuard = 1e-12;

    /// <summary><paramref name="attention"/>: softmax weights [B, heads, 1 + L, 1 + L] → prior [B, L].</summary>
    public static Tensor FromAttention(Tensor attention)
    {
        using var scope = NewDisposeScope();
        var a = attention[.., .., 0, 1..];                        // [B, heads, L], post-softmax, not renormalised
        var min = a.amin([-1], keepdim: true);
        var range = a.amax([-1], keepdim: true) - min;
        var normalised = (a - min) / range.clamp_min(RangeGuard);
        normalised = normalised.masked_fill(range.lt(RangeGuard), 0.0);
        return normalised.mean([1]).MoveToOuterDisposeScope();
    }
}
