using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using AmtSharp.Data;
using AmtSharp.Data.Sources;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Data;

/// <summary>
/// Huge PNGs decode straight to a reduced size (block means of the full image), so a 12,000-pixel PNG no longer
/// costs its full-size pixels; every PNG colour type and bit depth agrees with Skia's full decode reduced the same way.
/// </summary>
public sealed class HugePngTests
{
    [Fact]
    public void AHugePngDecodesReducedWithItsColours()
    {
        byte[] encoded = TestImages.Encode(HugeImageTests.Quadrants(2400, 1600), SKEncodedImageFormat.Png);
        Assert.Equal((2400, 1600), Size(ImageDecoder.Decode(encoded, "huge.png")));

        RgbImage reduced = ImageDecoder.Decode(encoded, "huge.png", minShortSide: 200);
        Assert.Equal((300, 200), Size(reduced));   // 1600 / 200: blocks of 8 × 8
        Assert.Equal(Reduce(HugeImageTests.Quadrants(2400, 1600), 8).Pixels, reduced.Pixels);
    }

    [Fact]
    public void TheReducedDecodeNeverHoldsTheFullImage()
    {
        byte[] encoded = TestImages.Encode(HugeImageTests.Quadrants(4000, 3000), SKEncodedImageFormat.Png);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RgbImage reduced = ImageDecoder.Decode(encoded, "huge.png", minShortSide: 224);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal((308, 231), Size(reduced));   // blocks of 13, edge blocks partial
        Assert.True(allocated < 4_000L * 3000 * 3 / 20, $"allocated {allocated:N0} bytes for a {4000 * 3000 * 3:N0}-byte image");
    }

    public static TheoryData<SKColorType, SKAlphaType> SkiaFormats => new()
    {
        { SKColorType.Rgba8888, SKAlphaType.Opaque },     // colour type 2 (RGB), 8 bits
        { SKColorType.Rgba8888, SKAlphaType.Unpremul },   // colour type 6 (RGBA), alpha dropped
        { SKColorType.Gray8, SKAlphaType.Opaque },        // colour type 0 (grey), 8 bits
        { SKColorType.Rgba16161616, SKAlphaType.Unpremul }, // 16 bits per sample
    };

    [Theory]
    [MemberData(nameof(SkiaFormats))]
    public void SkiaEncodedPngsMatchTheFullDecodeReduced(SKColorType colourType, SKAlphaType alphaType)
    {
        // Noise over gradients, so that Skia's encoder picks every row filter; 203 × 150 leaves partial edge blocks.
        using var bitmap = new SKBitmap(new SKImageInfo(203, 150, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var rng = new Random(3);
        for (int y = 0; y < 150; y++)
        {
            for (int x = 0; x < 203; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(x + rng.Next(40)), (byte)(y + rng.Next(40)), (byte)rng.Next(256), (byte)(60 + rng.Next(196))));
            }
        }
        using var converted = new SKBitmap(new SKImageInfo(203, 150, colourType, alphaType));
        Assert.True(bitmap.CopyTo(converted, colourType));
        using SKData data = converted.Encode(SKEncodedImageFormat.Png, 100);
        AssertMatchesFullDecode(data.ToArray(), minShortSide: 40, factor: 3, tolerance: colourType == SKColorType.Rgba16161616 ? 1 : 0);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 4)]
    [InlineData(3, 8)]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(0, 4)]
    [InlineData(0, 16)]
    [InlineData(4, 8)]
    [InlineData(2, 16)]
    [InlineData(6, 16)]
    public void HandWrittenPngsOfEveryTypeMatchTheFullDecodeReduced(int colourType, int bitDepth)
    {
        byte[] png = HandWrittenPng(97, 61, colourType, bitDepth, seed: colourType * 100 + bitDepth);
        AssertMatchesFullDecode(png, minShortSide: 20, factor: 3, tolerance: bitDepth == 16 ? 1 : 0);
    }

    [Fact]
    public void CorruptDataIsAnErrorNamingTheFile()
    {
        byte[] png = TestImages.Encode(HugeImageTests.Quadrants(800, 600), SKEncodedImageFormat.Png);
        int idat = IndexOf(png, "IDAT"u8);
        png[idat + 10] ^= 0x5A;   // inside the compressed data: the chunk's CRC no longer matches
        var e = Assert.Throws<DataException>(() => ImageDecoder.Decode(png, "broken.png", minShortSide: 100));
        Assert.Contains("broken.png", e.Message);
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void SmallPngsStillDecodeAtFullSize()
    {
        byte[] encoded = TestImages.Encode(HugeImageTests.Quadrants(300, 200), SKEncodedImageFormat.Png);
        Assert.Equal((300, 200), Size(ImageDecoder.Decode(encoded, "small.png", minShortSide: 120)));   // less than twice the size asked for
    }

    private static void AssertMatchesFullDecode(byte[] png, int minShortSide, int factor, int tolerance)
    {
        RgbImage expected = Reduce(ImageDecoder.Decode(png, "full.png"), factor);
        RgbImage reduced = ImageDecoder.Decode(png, "reduced.png", minShortSide);
        Assert.Equal(Size(expected), Size(reduced));
        int worst = expected.Pixels.Zip(reduced.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= tolerance, $"largest difference {worst}");
    }

    // The reference reduction: the rounded mean of each factor × factor block, edge blocks of what exists.
    private static RgbImage Reduce(RgbImage image, int factor)
    {
        int w = (image.Width + factor - 1) / factor, h = (image.Height + factor - 1) / factor;
        var px = new byte[w * h * 3];
        for (int oy = 0; oy < h; oy++)
        {
            for (int ox = 0; ox < w; ox++)
            {
                for (int c = 0; c < 3; c++)
                {
                    int sum = 0, count = 0;
                    for (int y = oy * factor; y < Math.Min(image.Height, (oy + 1) * factor); y++)
                    {
                        for (int x = ox * factor; x < Math.Min(image.Width, (ox + 1) * factor); x++, count++)
                        {
                            sum += image.Pixels[(y * image.Width + x) * 3 + c];
                        }
                    }
                    px[(oy * w + ox) * 3 + c] = (byte)((sum + count / 2) / count);
                }
            }
        }
        return new RgbImage(w, h, px);
    }

    /// <summary>
    /// A PNG written by the book (ISO 15948) with random samples and the row filters taking turns, for the colour
    /// types and bit depths Skia's encoder never writes (palettes, 1/2/4-bit grey, 16-bit grey).
    /// </summary>
    private static byte[] HandWrittenPng(int width, int height, int colourType, int bitDepth, int seed)
    {
        var rng = new Random(seed);
        int channels = colourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int rowBytes = (width * channels * bitDepth + 7) / 8, stride = Math.Max(1, channels * bitDepth / 8);
        var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            var previous = new byte[rowBytes];
            for (int y = 0; y < height; y++)
            {
                var row = new byte[rowBytes];
                rng.NextBytes(row);
                if (bitDepth < 8 && width * bitDepth % 8 != 0)
                {
                    row[^1] &= (byte)(0xFF << (8 - width * bitDepth % 8));   // padding bits are zero
                }
                byte filter = (byte)(y % 5);
                z.WriteByte(filter);
                z.Write(Filter(filter, row, previous, stride));
                previous = row;
            }
        }
        var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        (header[8], header[9]) = ((byte)bitDepth, (byte)colourType);
        Chunk(png, "IHDR", header);
        if (colourType == 3)
        {
            var palette = new byte[3 << bitDepth];
            rng.NextBytes(palette);
            Chunk(png, "PLTE", palette);
        }
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static byte[] Filter(byte type, byte[] row, byte[] previous, int stride)
    {
        var f = new byte[row.Length];
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= stride ? row[i - stride] : 0, b = previous[i], c = i >= stride ? previous[i - stride] : 0;
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            int predictor = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
            };
            f[i] = (byte)(row[i] - predictor);
        }
        return f;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        png.Write(length);
        byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typeAndData));
        png.Write(crc);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    private static (int, int) Size(RgbImage image) => (image.Width, image.Height);
}
