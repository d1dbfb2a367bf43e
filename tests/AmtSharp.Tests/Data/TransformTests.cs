using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Transforms;
using Xunit;

namespace AmtSharp.Tests.Data;

public sealed class TransformTests
{
    [Fact]
    public void RandomResizedCropRespectsAreaAndRatioRanges()
    {
        int fallbacks = 0;
        for (int i = 0; i < 2000; i++)
        {
            var rng = Seeds.Random(1, Seeds.Purpose.Augment, 0, i);
            int w = 100 + i % 200, h = 80 + i * 13 % 220;
            PixelBox box = RandomResizedCrop.Sample(w, h, rng, 0.2, 1.0, 3.0 / 4, 4.0 / 3);
            Assert.InRange(box.Top, 0, h - box.Height);
            Assert.InRange(box.Left, 0, w - box.Width);
            double area = (double)box.Width * box.Height / (w * h), ratio = (double)box.Width / box.Height;
            bool inRange = area >= 0.2 - 0.02 && area <= 1.0 + 0.02 && ratio >= 0.75 - 0.03 && ratio <= 4.0 / 3 + 0.03;
            if (!inRange)
            {
                fallbacks++;
            }
        }
        Assert.True(fallbacks < 20, $"{fallbacks} boxes outside the ranges");
    }

    [Fact]
    public void RandomResizedCropFallsBackToAClampedCentreCrop()
    {
        // A 1000x10 strip: no box of area >= 0.9 with ratio <= 4/3 fits, so the centre crop is clamped to ratio 4/3.
        PixelBox box = RandomResizedCrop.Sample(1000, 10, new Random(0), 0.9, 1.0, 3.0 / 4, 4.0 / 3);
        Assert.Equal(new PixelBox(0, (1000 - 13) / 2, 10, 13), box);
    }

    [Fact]
    public void SameSeedSameGeometry()
    {
        var spec = TransformSpec.Train(32);
        CropGeometry a = spec.SampleGeometry(50, 40, Seeds.Random(3, Seeds.Purpose.Augment, 2, 17));
        CropGeometry b = spec.SampleGeometry(50, 40, Seeds.Random(3, Seeds.Purpose.Augment, 2, 17));
        Assert.Equal(a, b);
    }

    [Fact]
    public void FlipHappensAboutHalfTheTime()
    {
        var spec = TransformSpec.Train(32);
        int flips = Enumerable.Range(0, 1000).Count(i => spec.SampleGeometry(32, 32, Seeds.Random(0, Seeds.Purpose.Augment, 0, i)).Flipped);
        Assert.InRange(flips, 430, 570);
    }

    [Fact]
    public void ResizeCentreCropKeepsTheCentralFractionOfTheShortSide()
    {
        CropGeometry g = TransformSpec.ResizeCentreCrop(224).SampleGeometry(400, 300, new Random(0));
        // Short side 300 -> 256, crop 224: keeps 0.875 * 300 = 262.5 source pixels each way.
        Assert.Equal(262.5 / 300, g.Height, 9);
        Assert.Equal(262.5 / 400, g.Width, 9);
        Assert.Equal((1 - g.Height) / 2, g.Top, 9);
        Assert.Equal((1 - g.Width) / 2, g.Left, 9);
        Assert.False(g.Flipped);
        Assert.Equal(CropGeometry.Identity, TransformSpec.Resize(224).SampleGeometry(400, 300, new Random(0)));
    }

    [Fact]
    public void IdentityRenderAtTheSameSizeKeepsPixels()
    {
        RgbImage img = TestImages.Gradient(32, 32);
        RgbImage same = CropRenderer.Render(img, CropGeometry.Identity, 32);
        int worst = img.Pixels.Zip(same.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1, $"max difference {worst}");
    }

    [Fact]
    public void FlippedRenderMirrorsColumns()
    {
        RgbImage img = TestImages.Gradient(16, 16);
        RgbImage flipped = CropRenderer.Render(img, CropGeometry.Identity with { Flipped = true }, 16);
        for (int y = 0; y < 16; y++)
        {
            for (int x = 0; x < 16; x++)
            {
                Assert.InRange(flipped.Pixels[flipped.Offset(y, x)] - img.Pixels[img.Offset(y, 15 - x)], -1, 1);
            }
        }
    }

    [Fact]
    public void NormalisedOutputIsChwWithImageNetStatistics()
    {
        var img = new RgbImage(2, 2, [255, 0, 128, 255, 0, 128, 255, 0, 128, 255, 0, 128]);
        var dst = new float[3 * 4];
        CropRenderer.RenderNormalized(img, CropGeometry.Identity, 2, Normalization.ImageNet, dst);
        Assert.Equal((1 - 0.485f) / 0.229f, dst[0], 4);
        Assert.Equal((0 - 0.456f) / 0.224f, dst[4], 4);
        Assert.Equal((128 / 255f - 0.406f) / 0.225f, dst[8], 4);
    }

    [Fact]
    public void HeavyDownscaleIsAntialiased()
    {
        // A 1-pixel checkerboard shrunk 8x must come out near mid-grey, not aliased to black or white.
        const int s = 256;
        var px = new byte[s * s * 3];
        for (int i = 0; i < s * s; i++)
        {
            byte v = (byte)(((i / s) + (i % s)) % 2 == 0 ? 255 : 0);
            px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = v;
        }
        RgbImage small = CropRenderer.Render(new RgbImage(s, s, px), CropGeometry.Identity, 32);
        Assert.All(small.Pixels, v => Assert.InRange(v, 90, 165));
    }

    [Fact]
    public void InvalidSpecsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => (TransformSpec.Train(32) with { ScaleMin = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (TransformSpec.Train(32) with { RatioMin = 2, RatioMax = 1 }).Validate());
        Assert.ThrowsAny<ArgumentException>(() => TransformSpec.Resize(0).Validate());
    }
}
