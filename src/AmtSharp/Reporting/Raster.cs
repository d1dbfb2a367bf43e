using System.Runtime.InteropServices;
using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>A small mutable RGB raster with float channels in [0, 1], for composing figure cells pixel by pixel.</summary>
public sealed class Raster
{
    private readonly Rgb[] _pixels;

    public Raster(int width, int height, Rgb fill = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        _pixels = new Rgb[width * height];
        Array.Fill(_pixels, fill);
    }

    public int Width { get; }

    public int Height { get; }

    public Rgb this[int x, int y]
    {
        get => _pixels[y * Width + x];
        set => _pixels[y * Width + x] = value;
    }

    /// <summary>An image from channel-first floats [3, size, size] in [0, 1] (values are clamped when drawn).</summary>
    public static Raster FromChw(float[] chw, int size)
    {
        int plane = size * size;
        if (chw.Length != 3 * plane)
        {
            throw new ArgumentException($"expected 3·{size}·{size} = {3 * plane} floats, got {chw.Length}", nameof(chw));
        }
        var image = new Raster(size, size);
        for (int i = 0; i < plane; i++)
        {
            image._pixels[i] = new Rgb(chw[i], chw[plane + i], chw[2 * plane + i]);
        }
        return image;
    }

    /// <summary>Side length S of a square channel-first image given as 3·S·S floats.</summary>
    public static int SideOf(float[] chw, string paramName)
    {
        int side = (int)Math.Round(Math.Sqrt(chw.Length / 3.0));
        if (side < 1 || 3 * side * side != chw.Length)
        {
            throw new ArgumentException($"{chw.Length} floats is not a square RGB image 3·S·S", paramName);
        }
        return side;
    }

    /// <summary>Nearest-neighbour enlargement by an integer factor.</summary>
    public Raster ScaleNearest(int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        var result = new Raster(Width * factor, Height * factor);
        for (int y = 0; y < result.Height; y++)
        {
            for (int x = 0; x < result.Width; x++)
            {
                result[x, y] = this[x / factor, y / factor];
            }
        }
        return result;
    }

    public Raster Clone()
    {
        var copy = new Raster(Width, Height);
        Array.Copy(_pixels, copy._pixels, _pixels.Length);
        return copy;
    }

    /// <summary>An opaque RGBA bitmap of the image (caller disposes).</summary>
    public SKBitmap ToBitmap()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var bytes = new byte[Width * Height * 4];
        for (int i = 0; i < _pixels.Length; i++)
        {
            var c = _pixels[i].ToColor();
            bytes[4 * i] = c.Red;
            bytes[4 * i + 1] = c.Green;
            bytes[4 * i + 2] = c.Blue;
            bytes[4 * i + 3] = 255;
        }
        Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        return bitmap;
    }

    /// <summary>Draws the image unscaled with its top-left corner at (x, y).</summary>
    public void DrawOn(SKCanvas canvas, float x, float y)
    {
        using var bitmap = ToBitmap();
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, x, y, new SKSamplingOptions(SKFilterMode.Nearest));
    }
}
