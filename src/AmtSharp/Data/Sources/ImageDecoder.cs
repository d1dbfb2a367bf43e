using System.Runtime.InteropServices;
using SkiaSharp;

namespace AmtSharp.Data.Sources;

/// <summary>
/// Decodes encoded image files (JPEG, PNG, BMP, WebP, GIF, ...) to <see cref="RgbImage"/> with SkiaSharp.
/// Policy for unusual inputs:
/// grayscale, palette, 16-bit and CMYK images are converted to 8-bit RGB by Skia;
/// alpha is composited onto black (we decode premultiplied and drop alpha, so a transparent pixel becomes 0,0,0);
/// GIF and other animations give their first frame; EXIF orientation is ignored, as PIL/torchvision do;
/// truncated files are errors, as in PIL by default.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes a file. <paramref name="minShortSide"/> &gt; 0 allows a reduced-scale decode of huge images.</summary>
    public static RgbImage DecodeFile(string path, int minShortSide = 0)
    {
        byte[] encoded;
        try
        {
            encoded = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException(path, $"cannot read image file ({e.Message})", e);
        }
        return Decode(encoded, path, minShortSide);
    }

    /// <summary>Decodes bytes; <paramref name="name"/> only labels errors.</summary>
    public static RgbImage Decode(byte[] encoded, string name, int minShortSide = 0)
    {
        if (encoded.Length == 0)
        {
            throw new DataException(name, "empty (zero-byte) image file");
        }
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data) ?? throw new DataException(name, "not a decodable image (unknown format or corrupt header)");
        SKSizeI size = codec.Info.Size;
        if (size.Width < 1 || size.Height < 1)
        {
            throw new DataException(name, $"image has no pixels ({size.Width}x{size.Height})");
        }
        SKSizeI target = ReducedSize(codec, minShortSide);
        if (target != size)
        {
            // Not every codec can scale while decoding (PNG cannot); fall back to full size then.
            RgbImage? reduced = TryDecode(codec, target, out _);
            if (reduced != null)
            {
                return reduced;
            }
        }
        return TryDecode(codec, size, out SKCodecResult result)
            ?? throw new DataException(name, $"corrupt or truncated image ({result})");
    }

    /// <summary>The smallest size the codec offers whose short side is still at least <paramref name="minShortSide"/>, if the image is far (2x) larger.</summary>
    private static SKSizeI ReducedSize(SKCodec codec, int minShortSide)
    {
        SKSizeI full = codec.Info.Size;
        int shortSide = Math.Min(full.Width, full.Height);
        if (minShortSide <= 0 || shortSide < 2 * minShortSide)
        {
            return full;
        }
        SKSizeI scaled = codec.GetScaledDimensions((float)minShortSide / shortSide);
        return Math.Min(scaled.Width, scaled.Height) >= minShortSide ? scaled : full;
    }

    private static RgbImage? TryDecode(SKCodec codec, SKSizeI size, out SKCodecResult result)
    {
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var rgba = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            result = codec.GetPixels(info, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        return result == SKCodecResult.Success ? FromRgba(size.Width, size.Height, rgba) : null;
    }

    /// <summary>Drops the alpha byte of premultiplied RGBA, which composites the image onto black.</summary>
    internal static RgbImage FromRgba(int width, int height, ReadOnlySpan<byte> rgba)
    {
        int n = width * height;
        var rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
        }
        return new RgbImage(width, height, rgb);
    }
}
