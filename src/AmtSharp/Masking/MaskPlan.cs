using static TorchSharp.torch;

namespace AmtSharp.Masking;

/// <summary>
/// What happens to each patch of each sample: masked (reconstructed), thrown (removed from encoder, decoder and
/// loss) or visible. The shared interface between masking strategies (random, AMT) and the models (MAE, SimMIM):
/// the models consume a plan and never know which strategy made it.
/// Index tensors are int64, sorted ascending per row; together they are a permutation of 0 … L−1.
/// Every sample has the same counts, so all shapes are fixed.
/// </summary>
public sealed class MaskPlan : IDisposable
{
    /// <summary>Code of a masked patch in <see cref="Codes"/> (the official AMT flags).</summary>
    public const int MaskedCode = 1;

    /// <summary>Code of a thrown patch in <see cref="Codes"/>.</summary>
    public const int ThrownCode = -1;

    public MaskPlan(Tensor masked, Tensor thrown, Tensor visible, int numPatches)
    {
        if (masked.dim() != 2 || thrown.dim() != 2 || visible.dim() != 2)
        {
            throw new ArgumentException("mask plan index tensors must be [B, n]");
        }
        long total = masked.shape[1] + thrown.shape[1] + visible.shape[1];
        if (total != numPatches)
        {
            throw new ArgumentException($"masked + thrown + visible = {total}, expected {numPatches} patches");
        }
        Masked = masked;
        Thrown = thrown;
        Visible = visible;
        NumPatches = numPatches;
    }

    /// <summary>
    /// A plan from per-patch codes [B, L] (1 masked, −1 thrown, 0 visible), e.g. a hand-made mask; every row must
    /// have the same counts.
    /// </summary>
    public static MaskPlan FromCodes(Tensor codes)
    {
        using var scope = NewDisposeScope();
        long b = codes.shape[0];
        int l = (int)codes.shape[1];
        Tensor Select(int code)
        {
            var hits = codes.eq(code);
            long total = hits.sum().item<long>();
            if (total % b != 0 || !hits.sum(1).eq(total / b).all().item<bool>())
            {
                throw new ArgumentException($"every sample must have the same number of patches with code {code}");
            }
            return hits.nonzero()[.., 1].reshape(b, total / b);       // row-major, so each row is sorted
        }
        var plan = new MaskPlan(Select(MaskedCode), Select(ThrownCode), Select(0), l);
        return new MaskPlan(plan.Masked.MoveToOuterDisposeScope(), plan.Thrown.MoveToOuterDisposeScope(),
            plan.Visible.MoveToOuterDisposeScope(), l);
    }

    /// <summary>Masked patch indices [B, n_m].</summary>
    public Tensor Masked { get; }

    /// <summary>Thrown patch indices [B, n_t] (n_t may be 0).</summary>
    public Tensor Thrown { get; }

    /// <summary>Visible patch indices [B, n_v].</summary>
    public Tensor Visible { get; }

    public int NumPatches { get; }

    public long BatchSize => Masked.shape[0];

    public int NumMasked => (int)Masked.shape[1];

    public int NumThrown => (int)Thrown.shape[1];

    public int NumVisible => (int)Visible.shape[1];

    /// <summary>Patches that stay in the sequence (masked and visible), sorted: [B, L − n_t].</summary>
    public Tensor Kept()
    {
        using var scope = NewDisposeScope();
        return cat([Masked, Visible], 1).sort(1).Values.MoveToOuterDisposeScope();
    }

    /// <summary>[B, L] float: 1 where masked, else 0 (MAE's mask convention).</summary>
    public Tensor MaskedIndicator() => Indicator(Masked);

    /// <summary>[B, L] float: 1 where thrown, else 0.</summary>
    public Tensor ThrownIndicator() => Indicator(Thrown);

    /// <summary>[B, L] int32: 1 masked, −1 thrown, 0 visible; for pictures and diagnostics.</summary>
    public Tensor Codes()
    {
        using var scope = NewDisposeScope();
        return (Indicator(Masked) - Indicator(Thrown)).to(ScalarType.Int32).MoveToOuterDisposeScope();
    }

    /// <summary>Copies the plan to a device (the indices are tiny).</summary>
    public MaskPlan To(Device device) =>
        new(Masked.to(device), Thrown.to(device), Visible.to(device), NumPatches);

    public void Dispose()
    {
        Masked.Dispose();
        Thrown.Dispose();
        Visible.Dispose();
    }

    private Tensor Indicator(Tensor indices)
    {
        var result = zeros(BatchSize, NumPatches, device: indices.device);
        if (indices.shape[1] > 0)
        {
            using var ones_ = ones(indices.shape, device: indices.device);
            result.scatter_(1, indices, ones_);
        }
        return result;
    }
}
