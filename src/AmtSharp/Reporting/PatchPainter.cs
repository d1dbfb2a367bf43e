using AmtSharp.Masking;

namespace AmtSharp.Reporting;

/// <summary>
/// Paints per-patch codes (1 masked, −1 thrown, 0 visible; see <see cref="MaskPlan.Codes"/>) onto an image whose
/// side is a multiple of the patch grid side.
/// </summary>
public static class PatchPainter
{
    private const int HatchPeriod = 8;
    private const int HatchWidth = 3;

    /// <summary>Visible patches show the image, masked ones a colour overlay, thrown ones a dark hatch.</summary>
    public static Raster MaskView(Raster image, int[] codes, MaskStyle style)
    {
        int patch = PatchSide(image, codes);
        var result = new Raster(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                var color = CodeAt(codes, image, patch, x, y) switch
                {
                    MaskPlan.MaskedCode => Rgb.Lerp(image[x, y], style.MaskedColor, style.MaskedOpacity),
                    MaskPlan.ThrownCode => Hatch(x, y, style),
                    _ => image[x, y],
                };
                bool onGrid = patch >= 8 && (x % patch == 0 || y % patch == 0);
                result[x, y] = onGrid ? color.Scale(1 - style.GridLineStrength) : color;
            }
        }
        return result;
    }

    /// <summary>Visible patches from the image, masked ones from the prediction, thrown ones blank.</summary>
    public static Raster Reconstruction(Raster image, Raster prediction, int[] codes, MaskStyle style)
    {
        if (prediction.Width != image.Width || prediction.Height != image.Height)
        {
            throw new ArgumentException("prediction and image sizes differ", nameof(prediction));
        }
        int patch = PatchSide(image, codes);
        var result = new Raster(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                result[x, y] = CodeAt(codes, image, patch, x, y) switch
                {
                    MaskPlan.MaskedCode => prediction[x, y],
                    MaskPlan.ThrownCode => style.BlankColor,
                    _ => image[x, y],
                };
            }
        }
        return result;
    }

    /// <summary>The thrown-patch pattern at pixel (x, y): stripes aligned across neighbouring patches.</summary>
    public static Rgb Hatch(int x, int y, MaskStyle style) =>
        ((x + y) % HatchPeriod) < HatchWidth ? style.ThrownHatchColor : style.ThrownColor;

    private static int PatchSide(Raster image, int[] codes)
    {
        int grid = GridUpsampler.SideOf(codes.Length, nameof(codes));
        if (image.Width != image.Height || image.Width % grid != 0)
        {
            throw new ArgumentException($"image {image.Width}×{image.Height} cannot be cut into {grid}×{grid} patches", nameof(codes));
        }
        return image.Width / grid;
    }

    private static int CodeAt(int[] codes, Raster image, int patch, int x, int y) =>
        codes[y / patch * (image.Width / patch) + x / patch];
}
