namespace AmtSharp.Data.Transforms;

/// <summary>A crop box in source pixels.</summary>
public readonly record struct PixelBox(int Top, int Left, int Height, int Width);

/// <summary>
/// torchvision's RandomResizedCrop box sampling: ten tries at an area fraction uniform in [scaleMin, scaleMax] and an aspect
/// ratio log-uniform in [ratioMin, ratioMax]; if none fits, a centre crop of the whole image clamped to the ratio range.
/// </summary>
public static class RandomResizedCrop
{
    public static PixelBox Sample(int width, int height, Random rng, double scaleMin, double scaleMax, double ratioMin, double ratioMax)
    {
        double area = (double)width * height, logLo = Math.Log(ratioMin), logHi = Math.Log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (scaleMin + (scaleMax - scaleMin) * rng.NextDouble());
            double aspect = Math.Exp(logLo + (logHi - logLo) * rng.NextDouble());
            // Math.Round is banker's rounding, like Python's round().
            int w = (int)Math.Round(Math.Sqrt(target * aspect)), h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height)
            {
                return new PixelBox(rng.Next(height - h + 1), rng.Next(width - w + 1), h, w);
            }
        }
        double inRatio = (double)width / height;
        int cw = width, ch = height;
        if (inRatio < ratioMin)
        {
            ch = (int)Math.Round(width / ratioMin);
        }
        else if (inRatio > ratioMax)
        {
            cw = (int)Math.Round(height * ratioMax);
        }
        return new PixelBox((height - ch) / 2, (width - cw) / 2, ch, cw);
    }
}
