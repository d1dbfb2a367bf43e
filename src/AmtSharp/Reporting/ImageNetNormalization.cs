namespace AmtSharp.Reporting;

/// <summary>The ImageNet mean/std normalisation used in training, and its inverse for display.</summary>
public static class ImageNetNormalization
{
    public static IReadOnlyList<float> Mean { get; } = [0.485f, 0.456f, 0.406f];

    public static IReadOnlyList<float> Std { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>
    /// Channel-first normalised floats [3, S, S] → displayable pixels in [0, 1] (x·std + mean, clamped).
    /// </summary>
    public static float[] ToUnitRange(float[] normalizedChw)
    {
        if (normalizedChw.Length % 3 != 0)
        {
            throw new ArgumentException("expected 3 channel planes", nameof(normalizedChw));
        }
        int plane = normalizedChw.Length / 3;
        var pixels = new float[normalizedChw.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            int ch = i / plane;
            pixels[i] = Math.Clamp(normalizedChw[i] * Std[ch] + Mean[ch], 0f, 1f);
        }
        return pixels;
    }
}
