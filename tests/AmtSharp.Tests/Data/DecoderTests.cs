using AmtSharp.Data;
using AmtSharp.Data.Sources;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Data;

/// <summary>The bad/unusual input policy of <see cref="ImageDecoder"/>: convertible inputs become RGB, unreadable ones throw naming the file.</summary>
public sealed class DecoderTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Png, 0)]
    [InlineData(SKEncodedImageFormat.Jpeg, 12)]
    [InlineData(SKEncodedImageFormat.Webp, 12)]
    public void SkiaEncodedFormatsDecodeToRgb(SKEncodedImageFormat format, int tolerance)
    {
        RgbImage original = TestImages.Gradient(20, 12);
        RgbImage decoded = ImageDecoder.Decode(TestImages.Encode(original, format, 100), "x");
        Assert.Equal((20, 12), (decoded.Width, decoded.Height));
        AssertClose(original, decoded, tolerance);
    }

    [Fact]
    public void BmpDecodes()
    {
        RgbImage original = TestImages.Gradient(7, 5);
        AssertClose(original, ImageDecoder.Decode(TestImages.Bmp(original), "x.bmp"), 0);
    }

    [Fact]
    public void GifGivesItsFirstFrame()
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
        byte[] gif = TestImages.Gif(2, 2, palette, [0, 1, 2, 3], [3, 3, 3, 3]);
        RgbImage img = ImageDecoder.Decode(gif, "x.gif");
        Assert.Equal(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255 }, img.Pixels);
    }

    [Fact]
    public void GrayscalePngBecomesRgb()
    {
        byte[] png = TestImages.Png(3, 1, colourType: 0, bitDepth: 8, [0, 128, 255]);
        Assert.Equal(new byte[] { 0, 0, 0, 128, 128, 128, 255, 255, 255 }, ImageDecoder.Decode(png, "g.png").Pixels);
    }

    [Fact]
    public void SixteenBitPngBecomesEightBitRgb()
    {
        // Two RGB16 pixels: (0xFFFF, 0x8000, 0x0000) and (0x0000, 0x0000, 0xFFFF), big-endian samples.
        byte[] rows = [0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF];
        RgbImage img = ImageDecoder.Decode(TestImages.Png(2, 1, colourType: 2, bitDepth: 16, rows), "16.png");
        Assert.Equal(255, img.Pixels[0]);
        Assert.InRange(img.Pixels[1], 127, 129);
        Assert.Equal(new byte[] { 0, 0, 0, 255 }, img.Pixels[2..]);
    }

    [Fact]
    public void PalettePngBecomesRgb()
    {
        byte[] png = TestImages.Png(2, 1, colourType: 3, bitDepth: 8, [1, 0], palette: [10, 20, 30, 200, 100, 50]);
        Assert.Equal(new byte[] { 200, 100, 50, 10, 20, 30 }, ImageDecoder.Decode(png, "p.png").Pixels);
    }

    [Fact]
    public void AlphaIsDroppedKeepingTheColoursAsPilConvertRgbDoes()
    {
        // RGBA: opaque red, half-transparent white, fully transparent green.
        byte[] rows = [255, 0, 0, 255, 255, 255, 255, 128, 0, 255, 0, 0];
        RgbImage img = ImageDecoder.Decode(TestImages.Png(3, 1, colourType: 6, bitDepth: 8, rows), "a.png");
        Assert.Equal(new byte[] { 255, 0, 0, 255, 255, 255, 0, 255, 0 }, img.Pixels);
    }

    [Fact]
    public void JpegWithValidHeaderAndCorruptBodyIsRefusedByName()
    {
        byte[] jpeg = TestImages.Encode(TestImages.Gradient(64, 64), SKEncodedImageFormat.Jpeg);
        int sos = 2;
        while (!(jpeg[sos] == 0xFF && jpeg[sos + 1] == 0xDA))
        {
            sos += 2 + ((jpeg[sos + 2] << 8) | jpeg[sos + 3]);
        }
        int body = sos + 2 + ((jpeg[sos + 2] << 8) | jpeg[sos + 3]);
        new Random(1).NextBytes(jpeg.AsSpan(body, jpeg.Length - 2 - body));
        var e = Assert.Throws<DataException>(() => ImageDecoder.Decode(jpeg, "noise.jpg"));
        Assert.Contains("noise.jpg", e.Message);
    }

    [Fact]
    public void OnePixelImageDecodes()
    {
        var one = new RgbImage(1, 1, [9, 99, 199]);
        Assert.Equal(one.Pixels, ImageDecoder.Decode(TestImages.Encode(one, SKEncodedImageFormat.Png), "1.png").Pixels);
    }

    [Fact]
    public void HugeJpegIsDecodedAtReducedScaleWhenAllowed()
    {
        using var bmp = new SKBitmap(8000, 6000, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bmp.Erase(new SKColor(30, 160, 90));
        using SKData data = bmp.Encode(SKEncodedImageFormat.Jpeg, 80);
        byte[] jpeg = data.ToArray();

        RgbImage small = ImageDecoder.Decode(jpeg, "big.jpg", minShortSide: 256);
        Assert.True(small.Height >= 256 && small.Height < 1500, $"decoded {small.Width}x{small.Height}");
        Assert.Equal(4.0 / 3, (double)small.Width / small.Height, 2);
        Assert.InRange(small.Pixels[1], 150, 170);
    }

    [Fact]
    public void ZeroByteFileIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        string path = dir.File("empty.png");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<DataException>(() => ImageDecoder.DecodeFile(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TextWithAnImageExtensionIsAnError()
    {
        using var dir = new TempDir();
        string path = dir.File("notes.jpg");
        File.WriteAllText(path, "this is not a JPEG at all, just some text");
        Assert.Contains(path, Assert.Throws<DataException>(() => ImageDecoder.DecodeFile(path)).Message);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void TruncatedFileIsAnError(SKEncodedImageFormat format)
    {
        byte[] full = TestImages.Encode(TestImages.Gradient(64, 64), format);
        byte[] cut = full[..(full.Length / 2)];
        Assert.Throws<DataException>(() => ImageDecoder.Decode(cut, "cut"));
    }

    [Fact]
    public void CorruptHeaderIsAnError()
    {
        byte[] png = TestImages.Encode(TestImages.Gradient(8, 8), SKEncodedImageFormat.Png);
        for (int i = 8; i < 30; i++)
        {
            png[i] ^= 0x5A;
        }
        Assert.Throws<DataException>(() => ImageDecoder.Decode(png, "bad.png"));
    }

    [Fact]
    public void VanishedFileIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        string path = dir.File("gone.png");
        Assert.Contains(path, Assert.Throws<DataException>(() => ImageDecoder.DecodeFile(path)).Message);
    }

    [Fact]
    public void DirectoryNamedLikeAnImageIsAnError()
    {
        using var dir = new TempDir();
        string path = dir.File("folder.jpg");
        Directory.CreateDirectory(path);
        Assert.Contains(path, Assert.Throws<DataException>(() => ImageDecoder.DecodeFile(path)).Message);
    }

    private static void AssertClose(RgbImage expected, RgbImage actual, int tolerance)
    {
        Assert.Equal(expected.Pixels.Length, actual.Pixels.Length);
        int worst = expected.Pixels.Zip(actual.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= tolerance, $"max abs difference {worst} > {tolerance}");
    }
}
