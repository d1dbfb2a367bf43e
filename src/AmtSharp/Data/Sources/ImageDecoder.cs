using System.Runtime.InteropServices;
using SkiaSharp;

namespace AmtSharp.Data.Sources;

/// <summary>
/// Decodes encoded image files (JPEG, PNG, BMP, WebP, GIF, ...) to <see cref="RgbImage"/> with SkiaSharp.
/// Policy for unusual inputs:
/// grayscale, palette, 16-bit and CMYK images are converted to 8-bit RGB by Skia;
/// alpha is dropped and the colour channels kept, as PIL's convert('RGB') does (decoded unpremultiplied);
/// GIF and other animations give their first frame; EXIF orientation is ignored, as PIL/torchvision do;
/// truncated files, decoder errors and JPEGs whose entropy-coded data is corrupt are errors naming the file;
/// anything but a regular file (a FIFO, socket, device) is refused before it is opened.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes a file. <paramref name="minShortSide"/> &gt; 0 allows a reduced-scale decode of huge JPEGs, WebPs and non-interlaced PNGs (others decode at full size).</summary>
    public static RgbImage DecodeFile(string path, int minShortSide = 0)
    {
        ImageFiles.RequireRegularFile(path);                 // opening a FIFO would block for ever
        using SKData data = ReadFile(path);
        return Decode(data, path, minShortSide);
    }

    /// <summary>Decodes bytes; <paramref name="name"/> only labels errors.</summary>
    public static RgbImage Decode(byte[] encoded, string name, int minShortSide = 0)
    {
        if (encoded.Length == 0)
        {
            throw new DataException(name, "empty (zero-byte) image file");
        }
        using var data = SKData.CreateCopy(encoded);
        return Decode(data, name, minShortSide);
    }

    private static SKData ReadFile(string path)
    {
        try
        {
            // Straight into native memory: one copy of the encoded bytes, none on the managed heap.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (stream.Length == 0)
            {
                throw new DataException(path, "empty (zero-byte) image file");
            }
            return SKData.Create(stream, stream.Length) ?? throw new DataException(path, "cannot read image file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException(path, $"cannot read image file ({e.Message})", e);
        }
    }

    private static RgbImage Decode(SKData data, string name, int minShortSide)
    {
        using var codec = SKCodec.Create(data) ?? throw new DataException(name, "not a decodable image (unknown format or corrupt header)");
        SKSizeI size = codec.Info.Size;
        if (size.Width < 1 || size.Height < 1)
        {
            throw new DataException(name, $"image has no pixels ({size.Width}x{size.Height})");
        }
        // libjpeg only warns about corrupt entropy-coded data and fills what it cannot decode with grey.
        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg && JpegStructure.Problem(data.AsSpan()) is { } problem)
        {
            throw new DataException(name, $"corrupt JPEG data ({problem})");
        }
        int shortSide = Math.Min(size.Width, size.Height);
        if (minShortSide > 0 && shortSide >= 2 * minShortSide)
        {
            SKSizeI scaled = codec.GetScaledDimensions((float)minShortSide / shortSide);
            if (scaled != size && Math.Min(scaled.Width, scaled.Height) >= minShortSide)
            {
                // JPEG (DCT scaling) and WebP decode straight to a smaller size.
                return Full(codec, scaled, name);
            }
            // Skia's PNG codec can neither scale nor stream rows (Unimplemented in SkiaSharp 3): our row decoder reduces.
            if (codec.EncodedFormat == SKEncodedImageFormat.Png && PngReducedDecoder.TryDecode(data.AsSpan(), name, shortSide / minShortSide) is { } png)
            {
                return png;
            }
            // Interlaced PNGs, BMP and others decode at full size.
        }
        return Full(codec, size, name);
    }

    private static RgbImage Full(SKCodec codec, SKSizeI size, string name)
    {
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(info, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        // IncompleteInput is a partial decode (the rest filled in by Skia): not a valid image.
        return result == SKCodecResult.Success ? FromRgba(size.Width, size.Height, rgba)
            : throw new DataException(name, $"corrupt or truncated image ({result})");
    }

    /// <summary>Drops the alpha byte of RGBA; with unpremultiplied input this keeps the colours, as PIL's convert('RGB') does.</summary>
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
