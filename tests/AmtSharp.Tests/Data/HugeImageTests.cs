using AmtSharp.Data;
using AmtSharp.Data.Sources;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Data;

/// <summary>Huge JPEGs decode at a reduced scale (short side still at least the requested size) with their colours intact.</summary>
public sealed class HugeImageTests
{
    // Four flat quadrants: red, green, blue, white, so block averages away from the borders are exact.
    internal static RgbImage Quadrants(int w, int h)
    {
        byte[][] colours = [[220, 20, 20], [20, 220, 20], [20, 20, 220], [240, 240, 240]];
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                byte[] c = colours[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)];
                c.CopyTo(px, (y * w + x) * 3);
            }
        }
        return new RgbImage(w, h, px);
    }

    private static void AssertQuadrants(RgbImage img, int tolerance)
    {
        byte[][] colours = [[220, 20, 20], [20, 220, 20], [20, 20, 220], [240, 240, 240]];
        for (int q = 0; q < 4; q++)
        {
            int x = q % 2 == 0 ? img.Width / 4 : 3 * img.Width / 4, y = q < 2 ? img.Height / 4 : 3 * img.Height / 4;
            for (int c = 0; c < 3; c++)
            {
                int got = img.Pixels[(y * img.Width + x) * 3 + c];
                Assert.True(Math.Abs(got - colours[q][c]) <= tolerance, $"quadrant {q} channel {c}: {got}, expected {colours[q][c]}");
            }
        }
    }

    [Fact]
    public void AHugeJpegDecodesReducedWithItsColours()
    {
        byte[] encoded = TestImages.Encode(Quadrants(2400, 1600), SKEncodedImageFormat.Jpeg);
        RgbImage full = ImageDecoder.Decode(encoded, "huge");
        Assert.Equal((2400, 1600), (full.Width, full.Height));

        RgbImage reduced = ImageDecoder.Decode(encoded, "huge", minShortSide: 200);
        Assert.Equal((300, 200), (reduced.Width, reduced.Height));   // an eighth, by libjpeg's DCT scaling
        AssertQuadrants(reduced, tolerance: 6);
    }
}
