using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>A colour with channels in [0, 1].</summary>
public readonly record struct Rgb(float R, float G, float B)
{
    public static Rgb FromBytes(byte r, byte g, byte b) => new(r / 255f, g / 255f, b / 255f);

    public static Rgb FromColor(SKColor color) => FromBytes(color.Red, color.Green, color.Blue);

    /// <summary>(1 − t)·a + t·b per channel.</summary>
    public static Rgb Lerp(Rgb a, Rgb b, float t) =>
        new(a.R + (b.R - a.R) * t, a.G + (b.G - a.G) * t, a.B + (b.B - a.B) * t);

    public Rgb Scale(float factor) => new(R * factor, G * factor, B * factor);

    /// <summary>Rec. 709 luma of the (gamma-encoded) channels.</summary>
    public float Luminance => 0.2126f * R + 0.7152f * G + 0.0722f * B;

    /// <summary>Opaque Skia colour, channels clamped to [0, 1] (NaN → 0).</summary>
    public SKColor ToColor() => new(ToByte(R), ToByte(G), ToByte(B));

    private static byte ToByte(float v) => float.IsNaN(v) ? (byte)0 : (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);
}
