using System.IO.Compression;
using System.Text;
using AmtSharp.Data;
using SkiaSharp;

namespace AmtSharp.Tests.Data;

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "amtsharp-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(params string[] parts)
    {
        string full = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Writes test images: through SkiaSharp where it can encode, by hand (PNG, BMP, GIF) where it cannot.</summary>
internal static class TestImages
{
    /// <summary>An RGB image whose pixel (y, x) is (x*k, y*k, c), easy to check after decoding.</summary>
    public static RgbImage Gradient(int w, int h, byte blue = 77)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * 3;
                px[o] = (byte)(x * 255 / Math.Max(1, w - 1));
                px[o + 1] = (byte)(y * 255 / Math.Max(1, h - 1));
                px[o + 2] = blue;
            }
        }
        return new RgbImage(w, h, px);
    }

    public static byte[] Encode(RgbImage img, SKEncodedImageFormat format, int quality = 95)
    {
        using var bmp = new SKBitmap(new SKImageInfo(img.Width, img.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Span<byte> dst = bmp.GetPixelSpan();
        for (int i = 0; i < img.Width * img.Height; i++)
        {
            dst[4 * i] = img.Pixels[3 * i];
            dst[4 * i + 1] = img.Pixels[3 * i + 1];
            dst[4 * i + 2] = img.Pixels[3 * i + 2];
            dst[4 * i + 3] = 255;
        }
        using SKData data = bmp.Encode(format, quality) ?? throw new InvalidOperationException($"cannot encode {format}");
        return data.ToArray();
    }

    public static void Write(string path, RgbImage img, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        File.WriteAllBytes(path, Encode(img, format));

    /// <summary>A PNG with the given colour type (0 gray, 2 RGB, 3 palette, 6 RGBA) and bit depth; rows are raw samples.</summary>
    public static byte[] Png(int w, int h, int colourType, int bitDepth, byte[] rawRows, byte[]? palette = null)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, w);
        WriteBigEndian(ihdr, 4, h);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colourType;
        Chunk(ms, "IHDR", ihdr);
        if (palette != null)
        {
            Chunk(ms, "PLTE", palette);
        }
        int rowBytes = rawRows.Length / h;
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int y = 0; y < h; y++)
            {
                zs.WriteByte(0); // filter: none
                zs.Write(rawRows, y * rowBytes, rowBytes);
            }
        }
        Chunk(ms, "IDAT", z.ToArray());
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>A bottom-up 24-bit BMP.</summary>
    public static byte[] Bmp(RgbImage img)
    {
        int stride = (img.Width * 3 + 3) & ~3, size = 54 + stride * img.Height;
        var b = new byte[size];
        b[0] = (byte)'B';
        b[1] = (byte)'M';
        BitConverter.TryWriteBytes(b.AsSpan(2), size);
        BitConverter.TryWriteBytes(b.AsSpan(10), 54);
        BitConverter.TryWriteBytes(b.AsSpan(14), 40);
        BitConverter.TryWriteBytes(b.AsSpan(18), img.Width);
        BitConverter.TryWriteBytes(b.AsSpan(22), img.Height);
        BitConverter.TryWriteBytes(b.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(b.AsSpan(28), (short)24);
        for (int y = 0; y < img.Height; y++)
        {
            int row = 54 + (img.Height - 1 - y) * stride;
            for (int x = 0; x < img.Width; x++)
            {
                int s = img.Offset(y, x);
                b[row + 3 * x] = img.Pixels[s + 2];
                b[row + 3 * x + 1] = img.Pixels[s + 1];
                b[row + 3 * x + 2] = img.Pixels[s];
            }
        }
        return b;
    }

    /// <summary>
    /// A GIF with a 4-colour palette and one frame per entry of <paramref name="frames"/> (palette indices, row-major).
    /// LZW data is written "uncompressed": a clear code every two literals keeps the code width at 3 bits.
    /// </summary>
    public static byte[] Gif(int w, int h, byte[] palette4x3, params byte[][] frames)
    {
        using var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes("GIF89a"));
        ms.Write(BitConverter.GetBytes((short)w));
        ms.Write(BitConverter.GetBytes((short)h));
        ms.WriteByte(0x81); // global colour table, 2^(1+1) = 4 entries
        ms.WriteByte(0);
        ms.WriteByte(0);
        ms.Write(palette4x3);
        foreach (byte[] frame in frames)
        {
            ms.WriteByte(0x2C);
            ms.Write(new byte[4]);
            ms.Write(BitConverter.GetBytes((short)w));
            ms.Write(BitConverter.GetBytes((short)h));
            ms.WriteByte(0);
            ms.WriteByte(2); // LZW minimum code size
            var codes = new List<int>();
            for (int i = 0; i < frame.Length; i++)
            {
                if (i % 2 == 0)
                {
                    codes.Add(4); // clear
                }
                codes.Add(frame[i]);
            }
            codes.Add(5); // end of information
            var packed = new List<byte>();
            int bits = 0, acc = 0;
            foreach (int c in codes)
            {
                acc |= c << bits;
                bits += 3;
                while (bits >= 8)
                {
                    packed.Add((byte)(acc & 0xFF));
                    acc >>= 8;
                    bits -= 8;
                }
            }
            if (bits > 0)
            {
                packed.Add((byte)acc);
            }
            for (int i = 0; i < packed.Count; i += 255)
            {
                int n = Math.Min(255, packed.Count - i);
                ms.WriteByte((byte)n);
                ms.Write(packed.GetRange(i, n).ToArray());
            }
            ms.WriteByte(0);
        }
        ms.WriteByte(0x3B);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        WriteBigEndian(len, 0, data.Length);
        s.Write(len);
        byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
        s.Write(typeAndData);
        var crc = new byte[4];
        WriteBigEndian(crc, 0, (int)System.IO.Hashing.Crc32.HashToUInt32(typeAndData));
        s.Write(crc);
    }

    private static void WriteBigEndian(byte[] b, int at, int v)
    {
        b[at] = (byte)(v >> 24);
        b[at + 1] = (byte)(v >> 16);
        b[at + 2] = (byte)(v >> 8);
        b[at + 3] = (byte)v;
    }
}
