using static TorchSharp.torch.optim;

namespace AmtSharp.Training.Optim;

/// <summary>
/// MAE's per-iteration schedule (docs/method.md#pretrain-mae): peak lr = BaseLr × EffectiveBatch / ReferenceBatch,
/// linear warm-up over <see cref="WarmupEpochs"/>, then half-cosine to <see cref="MinLr"/> at <see cref="Epochs"/>.
/// It is a pure function of the fractional epoch, so resuming needs no scheduler state.
/// </summary>
public sealed record LrSchedule(
    double BaseLr,
    int EffectiveBatch,
    double WarmupEpochs,
    double Epochs,
    double MinLr = 0.0,
    int ReferenceBatch = 256)
{
    /// <summary>Absolute (peak) learning rate.</summary>
    public double PeakLr => BaseLr * EffectiveBatch / ReferenceBatch;

    /// <summary>Fractional epoch τ = epoch + iter / itersPerEpoch.</summary>
    public static double Tau(int epoch, int iteration, int itersPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(itersPerEpoch);
        return epoch + (double)iteration / itersPerEpoch;
    }

    /// <summary>Learning rate at fractional epoch <paramref name="tau"/>.</summary>
    public double LrAt(double tau)
    {
        double lr = PeakLr;
        if (tau < WarmupEpochs)
        {
            return lr * tau / WarmupEpochs;
        }
        double span = Epochs - WarmupEpochs;
        double progress = span <= 0 ? 1.0 : Math.Clamp((tau - WarmupEpochs) / span, 0.0, 1.0);
        return MinLr + (lr - MinLr) * 0.5 * (1.0 + Math.Cos(Math.PI * progress));
    }

    /// <summary>Sets group i's lr to LrAt(τ) × scales[i]; returns LrAt(τ).</summary>
    public double Apply(IEnumerable<ILearningRateController> groups, IReadOnlyList<double> scales, double tau)
    {
        double lr = LrAt(tau);
        int i = 0;
        foreach (var g in groups)
        {
            if (i >= scales.Count)
            {
                throw new ArgumentException($"Optimizer has more parameter groups than the {scales.Count} lr scales given.", nameof(scales));
            }
            g.LearningRate = lr * scales[i++];
        }
        if (i != scales.Count)
        {
            throw new ArgumentException($"Optimizer has {i} parameter groups but {scales.Count} lr scales were given.", nameof(scales));
        }
        return lr;
    }

    /// <summary>Convenience overload for an optimizer.</summary>
    public double Apply(Optimizer optimizer, IReadOnlyList<double> scales, double tau) => Apply(optimizer.ParamGroups, scales, tau);
}
