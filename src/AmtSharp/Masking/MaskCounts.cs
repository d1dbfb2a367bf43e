namespace AmtSharp.Masking;

/// <summary>How ratios become patch counts.</summary>
public enum Rounding
{
    /// <summary>⌊rL⌋ masked, ⌊(r+t)L⌋ − ⌊rL⌋ thrown (MAE's convention).</summary>
    Floor,

    /// <summary>⌈rU⌉ masked, ⌈tU⌉ thrown (SimMIM's convention).</summary>
    Ceil,
}

/// <summary>Numbers of masked, thrown and visible cells (patches, or SimMIM mask units) of one sample.</summary>
public sealed record MaskCounts(int Masked, int Thrown, int Visible)
{
    // 0.57 · 100 = 56.99999999999999 and 0.45 + 0.40 = 0.8500000000000001 in doubles (docs/method.md#counts).
    private const double Guard = 1e-9;

    public int Total => Masked + Thrown + Visible;

    /// <summary>
    /// Counts for mask ratio r and throw ratio t over <paramref name="cells"/> cells, refusing impossible settings
    /// with a message that names them (<paramref name="maskSetting"/>, <paramref name="throwSetting"/>).
    /// </summary>
    public static MaskCounts From(double maskRatio, double throwRatio, int cells, Rounding rounding,
        string maskSetting = "MaskRatio", string throwSetting = "ThrowRatio")
    {
        if (double.IsNaN(maskRatio) || maskRatio <= 0 || maskRatio >= 1)
        {
            throw new ConfigException(maskSetting, $"must be in (0, 1), got {maskRatio}");
        }
        if (double.IsNaN(throwRatio) || throwRatio < 0 || throwRatio >= 1)
        {
            throw new ConfigException(throwSetting, $"must be in [0, 1), got {throwRatio}");
        }
        if (maskRatio + throwRatio >= 1 - Guard)
        {
            throw new ConfigException(throwSetting,
                $"{maskSetting} {maskRatio} + {throwSetting} {throwRatio} must be below 1 so that some patches stay visible", maskSetting, throwSetting);
        }
        int masked, thrown;
        if (rounding == Rounding.Floor)
        {
            masked = (int)Math.Floor(maskRatio * cells + Guard);
            thrown = (int)Math.Floor((maskRatio + throwRatio) * cells + Guard) - masked;
        }
        else
        {
            masked = (int)Math.Ceiling(maskRatio * cells - Guard);
            thrown = (int)Math.Ceiling(throwRatio * cells - Guard);
        }
        int visible = cells - masked - thrown;
        if (masked < 1)
        {
            throw new ConfigException(maskSetting, $"{maskRatio} masks no patch out of {cells}");
        }
        if (visible < 1)
        {
            throw new ConfigException(throwSetting,
                $"{maskSetting} {maskRatio} with {throwSetting} {throwRatio} leaves no visible patch out of {cells}", maskSetting, throwSetting);
        }
        return new MaskCounts(masked, thrown, visible);
    }

    public override string ToString() => $"{Masked} masked / {Thrown} thrown / {Visible} visible";
}
