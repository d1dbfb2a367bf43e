using AmtSharp.Masking;

namespace AmtSharp.Amt;

/// <summary>
/// When AMT is active and when the prior is refreshed (docs/method.md#schedule). Epochs e &lt; s use random masking (no
/// throwing); the prior is computed at the end of epoch s − 1 and every k epochs after that, but never after the
/// last epoch; AMT runs for e ≥ s. A variant that never reads the prior (random throwing) has no refreshes: it would
/// pay for passes it does not use, and a control must cost what it really costs.
/// </summary>
public sealed class AmtSchedule
{
    private readonly RandomMasking warmup;
    private readonly AmtMasking amt;

    /// <param name="totalEpochs">E, epochs of the run.</param>
    /// <param name="config">AMT settings (validated here).</param>
    /// <param name="grid">The method's draw grid: patches for MAE, mask units for SimMIM.</param>
    public AmtSchedule(int totalEpochs, AmtConfig config, MaskGrid grid)
    {
        config.Validate(grid.Cells, totalEpochs);
        TotalEpochs = totalEpochs;
        Config = config;
        Grid = grid;
        StartEpoch = config.ResolveStart(totalEpochs);
        RefreshInterval = config.ResolveInterval(totalEpochs);
        warmup = WarmupMasking(config, grid);
        amt = config.Strategy(grid);
        var refreshes = new List<int>();
        for (int e = StartEpoch - 1; config.UsesPrior && e <= totalEpochs - 2; e += RefreshInterval)
        {
            refreshes.Add(e);
        }
        RefreshEpochs = refreshes;
    }

    public int TotalEpochs { get; }

    public AmtConfig Config { get; }

    public MaskGrid Grid { get; }

    /// <summary>s: the first epoch with AMT masking.</summary>
    public int StartEpoch { get; }

    /// <summary>k: epochs between prior computations.</summary>
    public int RefreshInterval { get; }

    /// <summary>Epochs after which the prior is (re)computed, ascending: ⌊(E − 1 − s)/k⌋ + 1 of them.</summary>
    public IReadOnlyList<int> RefreshEpochs { get; }

    public bool IsAmtActive(int epoch) => epoch >= StartEpoch;

    /// <summary>Whether the prior must be computed at the end of <paramref name="epoch"/>.</summary>
    public bool RefreshAfterEpoch(int epoch) => RefreshEpochs.Contains(epoch);

    /// <summary>Random warm-up masking before s, AMT from s. The same two instances are returned every time.</summary>
    public IMaskingStrategy StrategyFor(int epoch) => IsAmtActive(epoch) ? amt : warmup;

    // MAE's convention keeps ⌊L(1 − r)⌋ patches; SimMIM masks ⌈r·U⌉ units.
    private static RandomMasking WarmupMasking(AmtConfig config, MaskGrid grid)
    {
        const string setting = nameof(AmtConfig.WarmupMaskRatio);
        if (config.Rounding == Rounding.Ceil)
        {
            return RandomMasking.SimMim(grid, config.WarmupMaskRatio, setting);
        }
        if (grid.UnitPatches == 1)
        {
            return RandomMasking.Mae(grid.PatchGrid, config.WarmupMaskRatio, setting);
        }
        return new RandomMasking(grid, MaskCounts.From(config.WarmupMaskRatio, 0, grid.Cells, Rounding.Floor, setting));
    }
}
