using AmtSharp.Reporting;
using Xunit;

namespace AmtSharp.Tests.Reporting;

public sealed class ColormapAndPixelsTests
{
    [Fact]
    public void ViridisAndInfernoAreMonotoneInLuminance()
    {
        foreach (var map in new[] { Colormap.Viridis, Colormap.Inferno })
        {
            var lum = Enumerable.Range(0, 101).Select(i => map.Map(i / 100f).Luminance).ToArray();
            Assert.All(Enumerable.Range(1, 100), i => Assert.True(lum[i] >= lum[i - 1], $"{map.Name} at {i}"));
            Assert.True(lum[100] - lum[0] > 0.6f);
        }
    }

    [Fact]
    public void JetEndsAreDistinctAndInputIsClamped()
    {
        var lo = Colormap.Jet.Map(0);
        var hi = Colormap.Jet.Map(1);
        Assert.True(hi.R > 0.4f && hi.B < 0.1f && lo.B > 0.4f && lo.R < 0.1f);
        Assert.Equal(lo, Colormap.Jet.Map(-3));
        Assert.Equal(hi, Colormap.Jet.Map(7));
        Assert.Throws<ArgumentException>(() => new Colormap("bad", [(0f, lo)]));
    }

    [Fact]
    public void UnnormalisingImageNetGivesBackPixels()
    {
        float[] pixels = [0.5f, 0.1f, 0.9f, 0.2f, 1f, 0f];
        var normalised = pixels.Select((p, i) => (p - ImageNetNormalization.Mean[i / 2]) / ImageNetNormalization.Std[i / 2]).ToArray();
        var back = ImageNetNormalization.ToUnitRange(normalised);
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal(pixels[i], back[i], 5));
    }

    [Fact]
    public void NormPixDenormalisingATruePatchTargetRestoresThePatch()
    {
        const int size = 4, patch = 2;
        var image = Enumerable.Range(0, 3 * size * size).Select(i => MathF.Sin(i * 0.7f)).ToArray();
        // Patch 3 (bottom right) in MAE layout, normalised by its own mean and unbiased variance.
        var values = new float[patch * patch * 3];
        for (int k = 0; k < values.Length; k++)
        {
            int pixel = k / 3, ch = k % 3;
            values[k] = image[ch * 16 + (2 + pixel / 2) * size + 2 + pixel % 2];
        }
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1) + 1e-6);
        var target = values.Select(v => (float)((v - mean) / std)).ToArray();
        var restored = NormPixDenormalizer.Denormalize(image, patch, [3], target);
        Assert.All(Enumerable.Range(0, image.Length), i => Assert.Equal(image[i], restored[i], 4));
        var zeros = NormPixDenormalizer.Denormalize(image, patch, [3], new float[12]);
        Assert.Equal((float)mean, zeros[2 * size + 2], 4);
        Assert.Equal(image[0], zeros[0]);
    }

    [Fact]
    public void UpsamplersKeepCornersAndNearestKeepsBlocks()
    {
        float[] map = [0, 1, 2, 3];
        var nearest = GridUpsampler.Upsample(map, 4, UpsampleMode.Nearest);
        Assert.Equal([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3], nearest);
        var bilinear = GridUpsampler.Upsample(map, 8, UpsampleMode.Bilinear);
        Assert.Equal(0f, bilinear[0]);
        Assert.Equal(3f, bilinear[63]);
        Assert.InRange(bilinear[4 * 8 + 4], 1.5f, 3f);
    }

    [Fact]
    public void TextWrapsAtWordsAndCutsLongWords()
    {
        var lines = TextWrapper.Wrap("reconstruction (norm-pix, true patch stats)", BitmapFont.Measure("0123456789", 2), 2);
        Assert.All(lines, l => Assert.True(l.Length <= 10));
        Assert.Equal("reconstruc", lines[0]);
        Assert.Equal(11, BitmapFont.Measure("ab", 1));
    }
}
