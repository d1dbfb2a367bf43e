namespace AmtSharp.Masking;

/// <summary>
/// Which cells AMT masks and which it throws (docs/method.md#variants). Ablations are configuration, not code changes.
/// Plain random masking (no prior, no throwing) is <see cref="RandomMasking"/>; "masking only" is any
/// variant with throw ratio 0.
/// </summary>
public enum AmtVariant
{
    /// <summary>The official order: weighted draw, first drawn masked, next thrown, rest visible (high → masked, mid → thrown, low → visible).</summary>
    Attention,

    /// <summary>The draw uses 1 − W, so low-attention cells are masked first.</summary>
    Inverted,

    /// <summary>Uniform weights with throwing: separates the effect of the prior from the effect of throwing.</summary>
    RandomWithThrowing,

    /// <summary>Weighted draw, but the first n_t drawn are thrown and the next n_m masked.</summary>
    ThrowHighest,

    /// <summary>Deterministic order by descending weight; ties broken by a seeded random key.</summary>
    TopK,
}
