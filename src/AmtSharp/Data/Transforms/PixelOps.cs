namespace AmtSharp.Data.Transforms;

/// <summary>
/// The image operations of RandAugment on 8-bit RGB, with the semantics of the PIL calls timm makes (ImageOps,
/// ImageEnhance, Image.transform): tone curves per channel, enhancements as a blend with a degenerate image, and affine
/// maps that sample the source at each output pixel's centre with PIL's bicubic (a = −1) kernel, filling points outside
/// the source with <c>fill</c>. Every operation returns a new image and leaves its input unchanged.
/// </summary>
public static class PixelOps
{
    // ---- tone curves -------------------------------------------------------------------------------------------

    /// <summary>255 − v.</summary>
    public static RgbImage Invert(RgbImage image) => Curve(image, v => 255 - v);

    /// <summary>Keeps the <paramref name="bits"/> most significant bits of each value (0 gives black, 8 or more the image).</summary>
    public static RgbImage Posterize(RgbImage image, int bits)
    {
        int mask = bits >= 8 ? 0xFF : ~((1 << (8 - Math.Max(bits, 0))) - 1) & 0xFF;
        return Curve(image, v => v & mask);
    }

    /// <summary>Inverts every value at or above <paramref name="threshold"/> (256 leaves the image as it is).</summary>
    public static RgbImage Solarize(RgbImage image, int threshold) => Curve(image, v => v < threshold ? v : 255 - v);

    /// <summary>Adds <paramref name="add"/> (saturating at 255) to every value below <paramref name="threshold"/>.</summary>
    public static RgbImage SolarizeAdd(RgbImage image, int add, int threshold = 128) =>
        Curve(image, v => v < threshold ? Math.Clamp(v + add, 0, 255) : v);

    /// <summary>
    /// Stretches each channel so that its darkest value becomes 0 and its brightest 255 (truncating, as PIL's
    /// autocontrast with no cut-off); a channel with a single value is left as it is.
    /// </summary>
    public static RgbImage AutoContrast(RgbImage image)
    {
        var curves = new int[3][];
        for (int c = 0; c < 3; c++)
        {
            var histogram = Histogram(image, c);
            int lo = Array.FindIndex(histogram, n => n > 0), hi = Array.FindLastIndex(histogram, n => n > 0);
            curves[c] = new int[256];
            double scale = hi > lo ? 255.0 / (hi - lo) : 1, offset = hi > lo ? -lo * scale : 0;
            for (int v = 0; v < 256; v++)
            {
                curves[c][v] = Math.Clamp((int)(v * scale + offset), 0, 255);
            }
        }
        return Curve(image, curves);
    }

    /// <summary>
    /// Histogram equalisation per channel, as PIL's ImageOps.equalize: with step = (pixels − count of the brightest
    /// value present) / 256, value v maps to (step / 2 + pixels below v) / step, capped at 255; a channel with one value,
    /// or too few pixels for a step, is left as it is.
    /// </summary>
    public static RgbImage Equalize(RgbImage image)
    {
        var curves = new int[3][];
        for (int c = 0; c < 3; c++)
        {
            var histogram = Histogram(image, c);
            curves[c] = Enumerable.Range(0, 256).ToArray();
            int last = Array.FindLastIndex(histogram, n => n > 0);
            if (histogram.Count(n => n > 0) <= 1)
            {
                continue;
            }
            int step = (histogram.Sum() - histogram[last]) / 256;
            if (step == 0)
            {
                continue;
            }
            int below = step / 2;
            for (int v = 0; v < 256; v++)
            {
                curves[c][v] = Math.Min(255, below / step);
                below += histogram[v];
            }
        }
        return Curve(image, curves);
    }

    // ---- enhancements: blend with a degenerate image ----------------------------------------------------------

    /// <summary>Saturation: 0 gives the grey image, 1 the image, above 1 more saturated.</summary>
    public static RgbImage Color(RgbImage image, double factor)
    {
        var grey = new RgbImage(image.Width, image.Height, new byte[image.Pixels.Length]);
        var p = image.Pixels;
        for (int i = 0; i < p.Length; i += 3)
        {
            byte l = Luma(p[i], p[i + 1], p[i + 2]);
            grey.Pixels[i] = grey.Pixels[i + 1] = grey.Pixels[i + 2] = l;
        }
        return Blend(grey, image, factor);
    }

    /// <summary>Contrast: 0 gives a flat image at the mean grey level (rounded), 1 the image.</summary>
    public static RgbImage Contrast(RgbImage image, double factor)
    {
        var p = image.Pixels;
        long sum = 0;
        for (int i = 0; i < p.Length; i += 3)
        {
            sum += Luma(p[i], p[i + 1], p[i + 2]);
        }
        byte mean = (byte)(int)(sum / (double)(image.Width * image.Height) + 0.5);
        var flat = new byte[p.Length];
        Array.Fill(flat, mean);
        return Blend(new RgbImage(image.Width, image.Height, flat), image, factor);
    }

    /// <summary>Brightness: 0 gives black, 1 the image.</summary>
    public static RgbImage Brightness(RgbImage image, double factor) =>
        Blend(new RgbImage(image.Width, image.Height, new byte[image.Pixels.Length]), image, factor);

    /// <summary>
    /// Sharpness: 0 gives the image smoothed by PIL's SMOOTH kernel (1 1 1 / 1 5 1 / 1 1 1, over 13; the one-pixel
    /// border kept), 1 the image, above 1 sharper.
    /// </summary>
    public static RgbImage Sharpness(RgbImage image, double factor)
    {
        int w = image.Width, h = image.Height;
        var p = image.Pixels;
        var smooth = (byte[])p.Clone();
        for (int y = 1; y < h - 1; y++)
        {
            for (int x = 1; x < w - 1; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    int sum = 4 * p[image.Offset(y, x) + c];
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            sum += p[image.Offset(y + dy, x + dx) + c];
                        }
                    }
                    smooth[image.Offset(y, x) + c] = (byte)Math.Clamp((int)(sum / 13.0 + 0.5), 0, 255);
                }
            }
        }
        return Blend(new RgbImage(w, h, smooth), image, factor);
    }

    /// <summary>degenerate + factor × (image − degenerate), clamped to [0, 255] and truncated, as PIL's Image.blend.</summary>
    public static RgbImage Blend(RgbImage degenerate, RgbImage image, double factor)
    {
        var a = degenerate.Pixels;
        var b = image.Pixels;
        var result = new byte[b.Length];
        for (int i = 0; i < b.Length; i++)
        {
            double v = a[i] + factor * (b[i] - a[i]);
            result[i] = v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)v;
        }
        return new RgbImage(image.Width, image.Height, result);
    }

    // ---- geometry -------------------------------------------------------------------------------------------------

    /// <summary>Rotates counter-clockwise by <paramref name="degrees"/> about the image centre, keeping the size.</summary>
    public static RgbImage Rotate(RgbImage image, double degrees, Rgb24 fill)
    {
        double angle = -degrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cx = image.Width / 2.0, cy = image.Height / 2.0;
        // Source = M · (output − centre) + centre, with M the rotation by −degrees (y pointing down).
        return Affine(image, cos, sin, cx - cos * cx - sin * cy, -sin, cos, cy + sin * cx - cos * cy, fill);
    }

    /// <summary>Horizontal shear: output (x, y) shows source (x + factor · y, y).</summary>
    public static RgbImage ShearX(RgbImage image, double factor, Rgb24 fill) => Affine(image, 1, factor, 0, 0, 1, 0, fill);

    /// <summary>Vertical shear: output (x, y) shows source (x, y + factor · x).</summary>
    public static RgbImage ShearY(RgbImage image, double factor, Rgb24 fill) => Affine(image, 1, 0, 0, factor, 1, 0, fill);

    /// <summary>Output (x, y) shows source (x + pixels, y): positive values move the content left.</summary>
    public static RgbImage TranslateX(RgbImage image, double pixels, Rgb24 fill) => Affine(image, 1, 0, pixels, 0, 1, 0, fill);

    /// <summary>Output (x, y) shows source (x, y + pixels): positive values move the content up.</summary>
    public static RgbImage TranslateY(RgbImage image, double pixels, Rgb24 fill) => Affine(image, 1, 0, 0, 0, 1, pixels, fill);

    /// <summary>
    /// Output pixel (x, y) takes the source at (a·X + b·Y + c, d·X + e·Y + f) with (X, Y) = (x + ½, y + ½) its centre:
    /// a point outside the source gives <paramref name="fill"/>, a point inside is interpolated bicubically (a = −1, as
    /// PIL's transform; neighbours beyond the border repeat the edge), so a point on a pixel centre gives that pixel.
    /// </summary>
    public static RgbImage Affine(RgbImage image, double a, double b, double c, double d, double e, double f, Rgb24 fill)
    {
        int w = image.Width, h = image.Height;
        var p = image.Pixels;
        var result = new byte[p.Length];
        Span<double> wx = stackalloc double[4], wy = stackalloc double[4];
        Span<int> xs = stackalloc int[4], ys = stackalloc int[4];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double sx = a * (x + 0.5) + b * (y + 0.5) + c, sy = d * (x + 0.5) + e * (y + 0.5) + f;
                int o = image.Offset(y, x);
                if (sx < 0 || sx >= w || sy < 0 || sy >= h)
                {
                    (result[o], result[o + 1], result[o + 2]) = (fill.R, fill.G, fill.B);
                    continue;
                }
                Taps(sx - 0.5, w, xs, wx);
                Taps(sy - 0.5, h, ys, wy);
                for (int ch = 0; ch < 3; ch++)
                {
                    double v = 0;
                    for (int j = 0; j < 4; j++)
                    {
                        double row = 0;
                        for (int i = 0; i < 4; i++)
                        {
                            row += wx[i] * p[image.Offset(ys[j], xs[i]) + ch];
                        }
                        v += wy[j] * row;
                    }
                    result[o + ch] = (byte)Math.Clamp((int)Math.Round(v), 0, 255);
                }
            }
        }
        return new RgbImage(w, h, result);
    }

    // The four neighbours of position t (in pixel-index units) along an axis of n pixels, clamped, and their weights.
    private static void Taps(double t, int n, Span<int> index, Span<double> weight)
    {
        int i0 = (int)Math.Floor(t);
        double u = t - i0;
        for (int k = 0; k < 4; k++)
        {
            index[k] = Math.Clamp(i0 - 1 + k, 0, n - 1);
        }
        // Cubic convolution with a = −1 (PIL's transform kernel): the weights sum to 1 and give the centre pixel at u = 0.
        weight[0] = -u + 2 * u * u - u * u * u;
        weight[1] = 1 - 2 * u * u + u * u * u;
        weight[2] = u + u * u - u * u * u;
        weight[3] = -u * u + u * u * u;
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /// <summary>ITU-R 601 luma with PIL's fixed-point rounding (the "L" conversion).</summary>
    public static byte Luma(byte r, byte g, byte b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);

    private static int[] Histogram(RgbImage image, int channel)
    {
        var histogram = new int[256];
        var p = image.Pixels;
        for (int i = channel; i < p.Length; i += 3)
        {
            histogram[p[i]]++;
        }
        return histogram;
    }

    private static RgbImage Curve(RgbImage image, Func<int, int> curve)
    {
        var table = Enumerable.Range(0, 256).Select(curve).ToArray();
        return Curve(image, [table, table, table]);
    }

    private static RgbImage Curve(RgbImage image, int[][] curves)
    {
        var p = image.Pixels;
        var result = new byte[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            result[i] = (byte)curves[i % 3][p[i]];
        }
        return new RgbImage(image.Width, image.Height, result);
    }
}

/// <summary>An 8-bit RGB colour (the fill of pixels an affine map brings in from outside the image).</summary>
public readonly record struct Rgb24(byte R, byte G, byte B)
{
    public static Rgb24 Grey(byte v) => new(v, v, v);
}
