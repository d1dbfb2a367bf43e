using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.FineTuning;

/// <summary>What a batch went through.</summary>
public enum MixKind
{
    None,
    Mixup,
    Cutmix,
}

/// <summary>A pixel box [Top, Bottom) × [Left, Right).</summary>
public readonly record struct CutBox(int Top, int Left, int Bottom, int Right)
{
    public int Area => (Bottom - Top) * (Right - Left);
}

/// <summary>
/// A mixed batch: images, soft targets [B, C] (each row sums to 1), and the draw that made them.
/// <see cref="Lambda"/> is the weight of each sample's own image and label (for cutmix: the area it keeps).
/// </summary>
public sealed record MixedBatch(Tensor Images, Tensor Targets, MixKind Kind, double Lambda, CutBox? Box);

/// <summary>
/// Mixup (Zhang et al. 2018) and CutMix (Yun et al. 2019) in timm's per-batch mode: sample i is mixed with sample
/// B − 1 − i (the batch flipped), with one λ ~ Beta(α, α) for the whole batch. A batch is mixed with probability
/// <c>probability</c>; with both methods on, cutmix is chosen with probability <c>switchProbability</c>. CutMix pastes
/// a box of relative area 1 − λ and then sets λ to the area actually kept, so the labels match the pixels. Targets
/// are label-smoothed one-hots (1 − s + s/C on the class, s/C elsewhere) mixed with the same λ. All draws come from
/// the caller's seeded <see cref="Random"/>; the work is whole-batch tensor ops.
/// </summary>
public sealed class MixupCutmix
{
    public MixupCutmix(int classes, double mixupAlpha, double cutmixAlpha, double probability = 1.0,
        double switchProbability = 0.5, double labelSmoothing = 0.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(mixupAlpha);
        ArgumentOutOfRangeException.ThrowIfNegative(cutmixAlpha);
        Classes = classes;
        MixupAlpha = mixupAlpha;
        CutmixAlpha = cutmixAlpha;
        Probability = probability;
        SwitchProbability = switchProbability;
        LabelSmoothing = labelSmoothing;
    }

    public int Classes { get; }
    public double MixupAlpha { get; }
    public double CutmixAlpha { get; }
    public double Probability { get; }
    public double SwitchProbability { get; }
    public double LabelSmoothing { get; }

    /// <summary>From the fine-tuning settings.</summary>
    public static MixupCutmix From(FineTuneConfig c, int classes) =>
        new(classes, c.MixupAlpha, c.CutmixAlpha, c.MixProbability, c.SwitchProbability, c.LabelSmoothing);

    /// <summary>images [B, C, H, W], labels [B] (int64, same device). The inputs are not modified.</summary>
    public MixedBatch Apply(Tensor images, Tensor labels, Random rng)
    {
        if (images.ndim != 4 || labels.ndim != 1 || images.shape[0] != labels.shape[0])
        {
            throw new ArgumentException($"expected images [B, C, H, W] and labels [B]; got [{string.Join(", ", images.shape)}] and [{string.Join(", ", labels.shape)}]");
        }
        using var scope = NewDisposeScope();
        var targets = SmoothedOneHot(labels, Classes, LabelSmoothing);
        var (kind, lambda) = Draw(rng);
        Tensor mixed;
        CutBox? box = null;
        switch (kind)
        {
            case MixKind.Mixup:
                mixed = images.mul(lambda).add_(images.flip(0), alpha: 1 - lambda);
                break;
            case MixKind.Cutmix:
                var b = SampleBox((int)images.shape[2], (int)images.shape[3], lambda, rng);
                lambda = 1.0 - (double)b.Area / (images.shape[2] * images.shape[3]);
                mixed = images.clone();
                if (b.Area > 0)
                {
                    Region(mixed, b).copy_(Region(images.flip(0), b));
                }
                box = b;
                break;
            default:
                mixed = images.alias();
                break;
        }
        var mixedTargets = kind == MixKind.None ? targets : targets.mul(lambda).add_(targets.flip(0), alpha: 1 - lambda);
        return new MixedBatch(mixed.MoveToOuterDisposeScope(), mixedTargets.MoveToOuterDisposeScope(), kind, lambda, box);
    }

    /// <summary>One-hot rows with label smoothing: 1 − s + s/C on the label, s/C elsewhere.</summary>
    public static Tensor SmoothedOneHot(Tensor labels, int classes, double smoothing)
    {
        using var scope = NewDisposeScope();
        double off = smoothing / classes, on = 1.0 - smoothing + off;
        var t = full(labels.shape[0], classes, off, dtype: ScalarType.Float32, device: labels.device);
        t.scatter_(1, labels.to_type(ScalarType.Int64).unsqueeze(1), full(labels.shape[0], 1, on, dtype: ScalarType.Float32, device: labels.device));
        return t.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A box of relative area about 1 − λ (sides √(1 − λ) of the image) centred at a uniform pixel and clipped to
    /// the image, so near the border it is smaller; the caller corrects λ to the real area.
    /// </summary>
    public static CutBox SampleBox(int height, int width, double lambda, Random rng)
    {
        double cut = Math.Sqrt(1.0 - lambda);
        int h = (int)(height * cut), w = (int)(width * cut);
        int cy = rng.Next(height), cx = rng.Next(width);
        return new CutBox(
            Math.Clamp(cy - h / 2, 0, height), Math.Clamp(cx - w / 2, 0, width),
            Math.Clamp(cy + h / 2, 0, height), Math.Clamp(cx + w / 2, 0, width));
    }

    private (MixKind Kind, double Lambda) Draw(Random rng)
    {
        bool mixup = MixupAlpha > 0, cutmix = CutmixAlpha > 0;
        if ((!mixup && !cutmix) || rng.NextDouble() >= Probability)
        {
            return (MixKind.None, 1.0);
        }
        bool useCutmix = cutmix && (!mixup || rng.NextDouble() < SwitchProbability);
        double alpha = useCutmix ? CutmixAlpha : MixupAlpha;
        return (useCutmix ? MixKind.Cutmix : MixKind.Mixup, BetaDistribution.Sample(rng, alpha, alpha));
    }

    private static Tensor Region(Tensor images, CutBox b) =>
        images.narrow(2, b.Top, b.Bottom - b.Top).narrow(3, b.Left, b.Right - b.Left);
}
