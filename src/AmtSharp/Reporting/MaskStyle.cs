namespace AmtSharp.Reporting;

/// <summary>Colours used to draw a mask plan.</summary>
public sealed record MaskStyle
{
    /// <summary>Colour laid over masked patches.</summary>
    public Rgb MaskedColor { get; init; } = Rgb.FromBytes(30, 100, 255);

    /// <summary>Opacity of <see cref="MaskedColor"/> over the image (1 = solid).</summary>
    public float MaskedOpacity { get; init; } = 0.7f;

    /// <summary>Background of thrown patches.</summary>
    public Rgb ThrownColor { get; init; } = Rgb.FromBytes(35, 35, 35);

    /// <summary>Diagonal hatch drawn over thrown patches.</summary>
    public Rgb ThrownHatchColor { get; init; } = Rgb.FromBytes(230, 50, 50);

    /// <summary>Fill of thrown patches in the reconstruction (nothing is predicted there).</summary>
    public Rgb BlankColor { get; init; } = new(0.5f, 0.5f, 0.5f);

    /// <summary>Darkening of the patch grid lines in the mask view (0 = no lines).</summary>
    public float GridLineStrength { get; init; } = 0.35f;
}
