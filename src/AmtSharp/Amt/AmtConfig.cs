using AmtSharp.Masking;

namespace AmtSharp.Amt;

/// <summary>
/// AMT's settings (docs/method.md#counts, #schedule). One object, no shadowed defaults (the released README
/// command silently ran without throwing, docs/method.md#deviations D4). Start epoch and refresh interval are
/// fractions of the run unless given explicitly, so short runs scale (docs/method.md#schedule).
/// </summary>
/// <param name="MaskRatio">r: share of cells masked (reconstructed).</param>
/// <param name="ThrowRatio">t: share of cells thrown (in neither encoder, decoder nor loss); 0 = attention-driven masking only.</param>
/// <param name="Variant">Which cells are masked and which thrown (ablations, docs/method.md#variants).</param>
/// <param name="Rounding">How ratios become counts: Floor (MAE) or Ceil (SimMIM).</param>
/// <param name="WarmupMaskRatio">Random mask ratio before AMT starts (MAE 0.75, SimMIM 0.6; the official SimMIM-AMT used 0.44).</param>
/// <param name="StartFraction">f_s: s = max(1, ⌊f_s·E + 0.5⌋) unless <paramref name="StartEpoch"/> is set.</param>
/// <param name="RefreshFraction">f_k: k = max(1, ⌊f_k·E + 0.5⌋) unless <paramref name="RefreshInterval"/> is set.</param>
/// <param name="StartEpoch">Explicit s (first epoch with AMT; the prior is first computed after epoch s − 1).</param>
/// <param name="RefreshInterval">Explicit k in epochs.</param>
/// <param name="Epsilon">ε added to every weight before the draw (docs/method.md#weighted-draw): keeps zero-weight cells random.</param>
/// <param name="PriorCrop">How each sample's crop and flip carry the prior onto its cells: exact, or the released code's arithmetic.</param>
public sealed record AmtConfig(
    double MaskRatio = 0.45,
    double ThrowRatio = 0.40,
    AmtVariant Variant = AmtVariant.Attention,
    Rounding Rounding = Rounding.Floor,
    double WarmupMaskRatio = 0.75,
    double StartFraction = 0.1,
    double RefreshFraction = 0.1,
    int? StartEpoch = null,
    int? RefreshInterval = null,
    double Epsilon = 1e-6,
    PriorCrop PriorCrop = PriorCrop.Exact)
{
    /// <summary>MAE + AMT (official settings): r 0.45, t 0.40, random 0.75 warm-up, f_s = f_k = 0.1, floor.</summary>
    public static AmtConfig ForMae() => new(0.45, 0.40, AmtVariant.Attention, Rounding.Floor, 0.75, 0.1, 0.1);

    /// <summary>SimMIM + AMT (official settings, our warm-up default): r 0.44, t 0.26, random 0.6 warm-up, f_s = f_k = 0.2, ceil.</summary>
    public static AmtConfig ForSimMim() => new(0.44, 0.26, AmtVariant.Attention, Rounding.Ceil, 0.6, 0.2, 0.2);

    /// <summary>AMT counts on a grid of <paramref name="cells"/> cells; throws <see cref="ConfigException"/> when impossible.</summary>
    public MaskCounts Counts(int cells) =>
        MaskCounts.From(MaskRatio, ThrowRatio, cells, Rounding, nameof(MaskRatio), nameof(ThrowRatio));

    /// <summary>AMT's draw for this configuration on <paramref name="grid"/> (validated).</summary>
    public AmtMasking Strategy(MaskGrid grid)
    {
        Validate(grid.Cells);
        return new AmtMasking(grid, Counts(grid.Cells), Variant, Epsilon);
    }

    /// <summary>
    /// Refuses settings that cannot run on <paramref name="cells"/> cells (and, when given, a run of
    /// <paramref name="totalEpochs"/> epochs), naming the setting.
    /// </summary>
    public AmtConfig Validate(int cells, int? totalEpochs = null)
    {
        if (!Enum.IsDefined(Variant))
        {
            throw new ConfigException(nameof(Variant), $"unknown variant {(int)Variant}");
        }
        if (!Enum.IsDefined(PriorCrop))
        {
            throw new ConfigException(nameof(PriorCrop), $"unknown prior crop {(int)PriorCrop}");
        }
        _ = Counts(cells);
        _ = MaskCounts.From(WarmupMaskRatio, 0, cells, Rounding, nameof(WarmupMaskRatio));
        Require(double.IsFinite(Epsilon) && Epsilon > 0, nameof(Epsilon), $"must be positive, got {Epsilon}");
        // f_s may be 0 (start after the first epoch, s = 1); f_k must give a positive interval.
        Require(double.IsFinite(StartFraction) && StartFraction >= 0 && StartFraction < 1, nameof(StartFraction),
            $"must be in [0, 1), got {StartFraction}");
        Require(double.IsFinite(RefreshFraction) && RefreshFraction > 0 && RefreshFraction <= 1, nameof(RefreshFraction),
            $"must be in (0, 1], got {RefreshFraction}");
        if (StartEpoch is int s)
        {
            Require(s >= 1, nameof(StartEpoch), $"must be at least 1 (the prior is computed after epoch s − 1 ≥ 0), got {s}");
        }
        if (RefreshInterval is int k)
        {
            Require(k >= 1, nameof(RefreshInterval), $"must be a positive number of epochs, got {k}");
        }
        // A one-epoch run is all random warm-up (smoke runs of a whole study); a longer run must reach AMT.
        if (totalEpochs is int e && (e >= 2 || StartEpoch is not null))
        {
            int start = ResolveStart(e);
            Require(start <= e - 1, StartEpoch is null ? nameof(StartFraction) : nameof(StartEpoch),
                $"AMT would start at epoch {start}, but a run of {e} epochs ends at epoch {e - 1} and the prior is never refreshed after the last epoch");
        }
        return this;
    }

    /// <summary>Whether the draw reads the prior; a variant that does not (random throwing) never refreshes it.</summary>
    public bool UsesPrior => Variant != AmtVariant.RandomWithThrowing;

    /// <summary>Whether a run of <paramref name="totalEpochs"/> epochs reaches AMT (one epoch never does).</summary>
    public bool StartsWithin(int totalEpochs) => ResolveStart(totalEpochs) <= totalEpochs - 1;

    /// <summary>s for a run of <paramref name="totalEpochs"/> epochs.</summary>
    public int ResolveStart(int totalEpochs) => StartEpoch ?? Math.Max(1, RoundHalfUp(StartFraction * totalEpochs));

    /// <summary>k for a run of <paramref name="totalEpochs"/> epochs.</summary>
    public int ResolveInterval(int totalEpochs) => RefreshInterval ?? Math.Max(1, RoundHalfUp(RefreshFraction * totalEpochs));

    // ⌊x + 0.5⌋ with the same 1e-9 guard as the counts: 0.1 · 25 = 2.5000000000000004 must not flip.
    private static int RoundHalfUp(double x) => (int)Math.Floor(x + 0.5 + 1e-9);

    private static void Require(bool ok, string setting, string message)
    {
        if (!ok)
        {
            throw new ConfigException(setting, message);
        }
    }
}
