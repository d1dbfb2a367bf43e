namespace AmtSharp.Reporting;

/// <summary>One cell of an <see cref="AttentionOverlay"/>.</summary>
/// <param name="Image">RGB pixels in [0, 1], channel-first 3·S·S.</param>
/// <param name="Attention">Attention over a G×G grid, row-major, any scale (see <see cref="AttentionOverlayOptions.Scaling"/>).</param>
/// <param name="Foreground">Optional ground-truth foreground per image pixel (S·S, row-major); its outline is drawn.</param>
/// <param name="Caption">Optional text above the cell.</param>
public sealed record AttentionSample(float[] Image, float[] Attention, bool[]? Foreground = null, string? Caption = null);
