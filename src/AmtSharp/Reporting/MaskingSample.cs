namespace AmtSharp.Reporting;

/// <summary>
/// One row of a <see cref="MaskingGrid"/>.
/// </summary>
/// <param name="Image">RGB pixels in [0, 1], channel-first 3·S·S (see <see cref="ImageNetNormalization.ToUnitRange"/>).</param>
/// <param name="Prior">AMT prior over the G×G patches, row-major, values in [0, 1]; null shows "n/a".</param>
/// <param name="Codes">Mask plan per patch, G·G: 1 masked, −1 thrown, 0 visible; S must be a multiple of G.</param>
/// <param name="Reconstruction">Predicted pixels like <paramref name="Image"/>; null shows "n/a".</param>
public sealed record MaskingSample(float[] Image, float[]? Prior, int[] Codes, float[]? Reconstruction);
