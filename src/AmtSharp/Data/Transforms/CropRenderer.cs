using SkiaSharp;

namespace AmtSharp.Data.Transforms;

/// <summary>
/// Applies a <see cref="CropGeometry"/>: cuts the box out of the source, resizes it to Size x Size and mirrors it if flipped.
/// Resampling is bicubic (Catmull-Rom, torchvision's bicubic kernel); when shrinking by more than 2x it switches to
/// mipmapped linear filtering so the result is antialiased, as torchvision's antialias=True is.
/// </summary>
public static class CropRenderer
{
    /// <summary>Renders and writes normalised CHW floats (3·size·size) into <paramref name="destination"/>.</summary>
    public static void RenderNormalized(RgbImage source, CropGeometry geometry, int size, Normalization norm, Span<float> destination)
    {
        int plane = size * size;
        if (destination.Length < 3 * plane)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, need {3 * plane}", nameof(destination));
        }
        using SKBitmap bitmap = Draw(source, geometry, size);
        Normalize(bitmap.GetPixelSpan(), 4, plane, norm, destination);
    }

    /// <summary>Writes an 8-bit image as normalised CHW floats (3·width·height) into <paramref name="destination"/>.</summary>
    public static void RenderNormalized(RgbImage image, Normalization norm, Span<float> destination)
    {
        int plane = image.Width * image.Height;
        if (destination.Length < 3 * plane)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, need {3 * plane}", nameof(destination));
        }
        Normalize(image.Pixels, 3, plane, norm, destination);
    }

    // Interleaved pixels (RGB or RGBA: stride 3 or 4) to planar normalised floats.
    private static void Normalize(ReadOnlySpan<byte> px, int stride, int plane, Normalization norm, Span<float> destination)
    {
        float sr = 1f / (255f * norm.StdR), sg = 1f / (255f * norm.StdG), sb = 1f / (255f * norm.StdB);
        float or = norm.MeanR / norm.StdR, og = norm.MeanG / norm.StdG, ob = norm.MeanB / norm.StdB;
        Span<float> r = destination[..plane], g = destination.Slice(plane, plane), b = destination.Slice(2 * plane, plane);
        for (int i = 0; i < plane; i++)
        {
            r[i] = px[stride * i] * sr - or;
            g[i] = px[stride * i + 1] * sg - og;
            b[i] = px[stride * i + 2] * sb - ob;
        }
    }

    /// <summary>Renders to an 8-bit image (for inspection and tests).</summary>
    public static RgbImage Render(RgbImage source, CropGeometry geometry, int size)
    {
        using SKBitmap bitmap = Draw(source, geometry, size);
        return Sources.ImageDecoder.FromRgba(size, size, bitmap.GetPixelSpan());
    }

    private static unsafe SKBitmap Draw(RgbImage source, CropGeometry g, int size)
    {
        int w = source.Width, h = source.Height;
        var rgba = new byte[w * h * 4];
        byte[] rgb = source.Pixels;
        for (int i = 0, n = w * h; i < n; i++)
        {
            rgba[4 * i] = rgb[3 * i];
            rgba[4 * i + 1] = rgb[3 * i + 1];
            rgba[4 * i + 2] = rgb[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        var output = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        var crop = SKRect.Create((float)(g.Left * w), (float)(g.Top * h), (float)(g.Width * w), (float)(g.Height * h));
        bool shrinksALot = crop.Width > 2 * size || crop.Height > 2 * size;
        SKSamplingOptions sampling = shrinksALot
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.CatmullRom);
        fixed (byte* p = rgba)
        {
            using SKImage image = SKImage.FromPixels(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque), (IntPtr)p);
            using var canvas = new SKCanvas(output);
            if (g.Flipped)
            {
                canvas.Translate(size, 0);
                canvas.Scale(-1, 1);
            }
            canvas.DrawImage(image, crop, new SKRect(0, 0, size, size), sampling, null);
        }
        return output;
    }
}
