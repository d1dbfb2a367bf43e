using System.Runtime.InteropServices;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Sources;
using AmtSharp.Data.Transforms;
using Xunit;

namespace AmtSharp.Tests.Data;

/// <summary>Each RandAugment operation against values worked out by hand, on images small enough to check every pixel.</summary>
public sealed class PixelOpsTests
{
    private static readonly Rgb24 Fill = new(1, 2, 3);

    // A w × h image whose every channel holds the given grey values, row by row.
    private static RgbImage Grey(int w, int h, params int[] values) =>
        new(w, h, values.SelectMany(v => new[] { (byte)v, (byte)v, (byte)v }).ToArray());

    private static int[] Channel(RgbImage image, int c = 0) => Enumerable.Range(0, image.Width * image.Height).Select(i => (int)image.Pixels[3 * i + c]).ToArray();

    // 0..15 on a 4 × 4 grid: value = 10 · (4 · row + column).
    private static RgbImage Ramp() => Grey(4, 4, Enumerable.Range(0, 16).Select(i => 10 * i).ToArray());

    [Fact]
    public void ToneCurvesMapEachValueAsTheirLookupTables()
    {
        var image = Grey(6, 1, 0, 25, 26, 100, 183, 255);
        Assert.Equal([255, 230, 229, 155, 72, 0], Channel(PixelOps.Invert(image)));
        // Posterize keeps the top bits: 1 bit (magnitude 9, increasing) leaves 0 or 128; 4 bits clear the low nibble.
        Assert.Equal([0, 0, 0, 0, 128, 128], Channel(PixelOps.Posterize(image, 1)));
        Assert.Equal([0, 16, 16, 96, 176, 240], Channel(PixelOps.Posterize(image, 4)));
        Assert.Equal([0, 0, 0, 0, 0, 0], Channel(PixelOps.Posterize(image, 0)));
        // Solarize from 26 (magnitude 9, increasing): 25 stays, 26 and up are inverted.
        Assert.Equal([0, 25, 229, 155, 72, 0], Channel(PixelOps.Solarize(image, 26)));
        Assert.Equal(Channel(image), Channel(PixelOps.Solarize(image, 256)));
        // Solarize-add 99 (magnitude 9) below 128, saturating at 255; 128 and up untouched.
        Assert.Equal([99, 124, 125, 199, 183, 255], Channel(PixelOps.SolarizeAdd(image, 99)));
    }

    [Fact]
    public void AutoContrastStretchesEachChannelToTheFullRange()
    {
        // Red 10..112: scale 2.5, offset −25, truncated; green constant: unchanged; blue 0..255 already full.
        var image = new RgbImage(3, 1, [10, 7, 0, 61, 7, 128, 112, 7, 255]);
        var result = PixelOps.AutoContrast(image);
        Assert.Equal([0, 127, 255], Channel(result, 0));
        Assert.Equal([7, 7, 7], Channel(result, 1));
        Assert.Equal([0, 128, 255], Channel(result, 2));
    }

    [Fact]
    public void EqualizeSpreadsTheHistogramAsPil()
    {
        // 1024 pixels: 512 at 0, 256 at 100, 256 at 200. step = (1024 − 256) / 256 = 3; value v maps to
        // (1 + pixels below v) / 3: 0 → 0, 100 → 513 / 3 = 171, 200 → 769 / 3 = 256, capped at 255.
        var values = Enumerable.Repeat(0, 512).Concat(Enumerable.Repeat(100, 256)).Concat(Enumerable.Repeat(200, 256)).ToArray();
        var result = Channel(PixelOps.Equalize(Grey(32, 32, values)));
        Assert.Equal(0, result[0]);
        Assert.Equal(171, result[600]);
        Assert.Equal(255, result[1000]);
        // Too few pixels for a step: unchanged.
        Assert.Equal([10, 10, 20, 30], Channel(PixelOps.Equalize(Grey(4, 1, 10, 10, 20, 30))));
    }

    [Fact]
    public void EnhancementsBlendWithTheirDegenerateImageAndTruncate()
    {
        // Colour: luma of (100, 150, 200) is (100·19595 + 150·38470 + 200·7471 + 32768) >> 16 = 141; factor 1.81
        // (magnitude 9, increasing) gives 141 + 1.81 · (v − 141) truncated: 66, 157, 247.
        var colour = PixelOps.Color(new RgbImage(1, 1, [100, 150, 200]), 1.81);
        Assert.Equal(new byte[] { 66, 157, 247 }, colour.Pixels);
        Assert.Equal(new byte[] { 76, 76, 76 }, PixelOps.Color(new RgbImage(1, 1, [255, 0, 0]), 0).Pixels);
        // Brightness scales towards black: 0.19 · 200 = 38, 1.81 · 100 = 181, 1.81 · 200 saturates.
        Assert.Equal([38, 19, 38], Channel(PixelOps.Brightness(Grey(3, 1, 200, 100, 200), 0.19)));
        Assert.Equal([181, 255], Channel(PixelOps.Brightness(Grey(2, 1, 100, 200), 1.81)));
        // Contrast blends with the mean grey (150.5 rounds to 151): factor 0.5 gives 125 and 176.
        Assert.Equal([125, 176], Channel(PixelOps.Contrast(Grey(2, 1, 100, 201), 0.5)));
        Assert.Equal([151, 151], Channel(PixelOps.Contrast(Grey(2, 1, 100, 201), 0)));
    }

    [Fact]
    public void SharpnessBlendsWithTheSmoothedImageInsideTheBorder()
    {
        // A bright centre on black: SMOOTH gives 5 · 130 / 13 = 50 at the centre; the border is never filtered.
        var image = Grey(3, 3, 0, 0, 0, 0, 130, 0, 0, 0, 0);
        Assert.Equal([0, 0, 0, 0, 50, 0, 0, 0, 0], Channel(PixelOps.Sharpness(image, 0)));
        Assert.Equal([0, 0, 0, 0, 210, 0, 0, 0, 0], Channel(PixelOps.Sharpness(image, 2)));   // 50 + 2 · 80
        Assert.Equal(Channel(image), Channel(PixelOps.Sharpness(image, 1)));
    }

    [Fact]
    public void RotationsByRightAnglesMoveWholePixels()
    {
        var image = Ramp();
        int[] src = Channel(image);
        // Counter-clockwise by 90°: output (row y, column x) shows source (row x, column 3 − y).
        var r90 = Channel(PixelOps.Rotate(image, 90, Fill));
        var r180 = Channel(PixelOps.Rotate(image, 180, Fill));
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                Assert.Equal(src[4 * x + (3 - y)], r90[4 * y + x]);
                Assert.Equal(src[4 * (3 - y) + (3 - x)], r180[4 * y + x]);
            }
        }
        Assert.Equal(src, Channel(PixelOps.Rotate(PixelOps.Rotate(image, -90, Fill), 90, Fill)));
        // At 45° the corners come from outside the image: they take the fill.
        var r45 = PixelOps.Rotate(Grey(8, 8, Enumerable.Repeat(200, 64).ToArray()), 45, Fill);
        Assert.Equal(new byte[] { 1, 2, 3 }, r45.Pixels[..3]);
        Assert.Equal(200, r45.Pixels[r45.Offset(4, 4)]);
    }

    [Fact]
    public void TranslationsAndShearsShiftPixelsAndFillFromOutside()
    {
        var image = Ramp();
        int[] src = Channel(image);
        // +1 px: output column x shows source column x + 1; the last column is filled.
        var tx = PixelOps.TranslateX(image, 1, Fill);
        var ty = PixelOps.TranslateY(image, -2, Fill);
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 3; x++)
            {
                Assert.Equal(src[4 * y + x + 1], tx.Pixels[tx.Offset(y, x)]);
            }
            Assert.Equal(new byte[] { 1, 2, 3 }, tx.Pixels.AsSpan(tx.Offset(y, 3), 3).ToArray());
        }
        // −2 px vertically: the content moves down two rows, the top two rows are filled.
        Assert.Equal(Fill.G, ty.Pixels[ty.Offset(1, 2) + 1]);
        Assert.Equal(src[4 * 0 + 2], ty.Pixels[ty.Offset(2, 2)]);
        Assert.Equal(src[4 * 1 + 3], ty.Pixels[ty.Offset(3, 3)]);
        // Shear 0.4: row 2's centre (y = 2.5) samples x + 1 exactly, so that row moves one pixel left.
        var shear = PixelOps.ShearX(image, 0.4, Fill);
        Assert.Equal(src[8 + 1], shear.Pixels[shear.Offset(2, 0)]);
        Assert.Equal(src[8 + 3], shear.Pixels[shear.Offset(2, 2)]);
        Assert.Equal(Fill.R, shear.Pixels[shear.Offset(2, 3)]);
        var shearY = PixelOps.ShearY(image, 0.4, Fill);
        Assert.Equal(src[4 * 1 + 2], shearY.Pixels[shearY.Offset(0, 2)]);    // column 2: y + 1
    }

    [Fact]
    public void MagnitudeNineGivesTimmsArguments()
    {
        var inc = new RandAugment(Magnitude: 9, Increasing: true);
        var plain = new RandAugment(Magnitude: 9);
        var rng = new Random(1);
        double Abs(RandAugment r, RandAugmentOp op) => Math.Abs(r.Argument(op, 9, rng));
        Assert.Equal(27, Abs(inc, RandAugmentOp.Rotate), 9);
        Assert.Equal(0.27, Abs(inc, RandAugmentOp.ShearX), 9);
        Assert.Equal(0.405, Abs(inc, RandAugmentOp.TranslateY), 9);
        Assert.Equal(99, inc.Argument(RandAugmentOp.SolarizeAdd, 9, rng));
        Assert.Equal(1, inc.Argument(RandAugmentOp.Posterize, 9, rng));
        Assert.Equal(26, inc.Argument(RandAugmentOp.Solarize, 9, rng));
        Assert.Equal(3, plain.Argument(RandAugmentOp.Posterize, 9, rng));
        Assert.Equal(230, plain.Argument(RandAugmentOp.Solarize, 9, rng));
        Assert.Equal(1.72, plain.Argument(RandAugmentOp.Color, 9, rng), 9);
        var factors = Enumerable.Range(0, 200).Select(_ => inc.Argument(RandAugmentOp.Contrast, 9, rng)).Distinct().Order().ToList();
        Assert.Equal(2, factors.Count);                                        // 1 ∓ 0.81, both signs drawn
        Assert.Equal(0.19, factors[0], 9);
        Assert.Equal(1.81, factors[1], 9);
        var full = Enumerable.Range(0, 200).Select(_ => inc.Argument(RandAugmentOp.Brightness, 10, rng)).Distinct().Order().ToList();
        Assert.Equal([0.1, 1.9], full.Select(f => Math.Round(f, 9)));            // 1 ∓ 0.9 at full strength
    }
}

public sealed class RandAugmentTests
{
    [Theory]
    [InlineData("rand-m9-mstd0.5-inc1", 9, 2, 0.5, true)]
    [InlineData("rand-m7-n3", 7, 3, 0, false)]
    [InlineData("rand-n1-m10-inc0-mstd1", 10, 1, 1, false)]
    [InlineData("rand", 10, 2, 0, false)]
    public void ParsesTimmsFormat(string text, double magnitude, int layers, double std, bool increasing)
    {
        var r = RandAugment.Parse(text)!;
        Assert.Equal(new RandAugment(magnitude, layers, std, RandAugment.LevelScale, increasing), r);
        Assert.Null(RandAugment.Parse("none"));
        Assert.True(double.IsPositiveInfinity(RandAugment.Parse("rand-mstd101")!.MagnitudeStd));
    }

    [Theory]
    [InlineData("rand-m9-x")]
    [InlineData("randm9")]
    [InlineData("rand-n0")]
    [InlineData("rand-inc2")]
    [InlineData("rand-w0")]
    [InlineData("")]
    public void RefusesAnythingElseNamingTheOption(string text)
    {
        var e = Assert.Throws<ConfigException>(() => RandAugment.Parse(text));
        Assert.Equal("RandAugment", e.Setting);
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void TheMagnitudeNoiseIsSeededClippedAndCentredOnM()
    {
        var r = RandAugment.Parse("rand-m9-mstd0.5-inc1")!;
        var a = Enumerable.Range(0, 4000).SelectMany(i => r.Draw(Seeds.Random(3, Seeds.Purpose.Augment, 0, i))).ToList();
        var b = Enumerable.Range(0, 4000).SelectMany(i => r.Draw(Seeds.Random(3, Seeds.Purpose.Augment, 0, i))).ToList();
        Assert.Equal(a, b);                                                    // same seeds, same draws
        Assert.NotEqual(a, Enumerable.Range(0, 4000).SelectMany(i => r.Draw(Seeds.Random(4, Seeds.Purpose.Augment, 0, i))).ToList());
        var applied = a.Where(s => s.Applied).Select(s => s.Magnitude).ToList();
        Assert.InRange(applied.Count / (double)a.Count, 0.47, 0.53);           // each operation's coin: p = 0.5
        Assert.InRange(applied.Average(), 8.95, 9.05);
        double sd = Math.Sqrt(applied.Average(m => (m - applied.Average()) * (m - applied.Average())));
        Assert.InRange(sd, 0.47, 0.53);
        Assert.Equal(RandAugment.Ops.Count, a.Select(s => s.Op).Distinct().Count());   // all 15 operations are drawn
        // A wide noise is clipped to [0, 10].
        var wide = (r with { MagnitudeStd = 5 }).Draw(new Random(1)).Concat(Enumerable.Range(0, 2000).SelectMany(i => (r with { MagnitudeStd = 5 }).Draw(new Random(i))))
            .Where(s => s.Applied).Select(s => s.Magnitude).ToList();
        Assert.All(wide, m => Assert.InRange(m, 0, 10));
        Assert.Contains(10.0, wide);
        Assert.Contains(0.0, wide);
    }

    [Fact]
    public void TheLoaderGivesTheSameAugmentedBatchesForAnyWorkerCountAndKeepsTheCrops()
    {
        var source = SyntheticShapesSource.Train(seed: 4, count: 48);
        var plain = TransformSpec.Train(32, 0.08);
        var augmented = plain with { RandAugment = RandAugment.Parse("rand-m9-mstd0.5-inc1") };
        List<(CropGeometry[] Geometry, float[] Pixels)> Read(TransformSpec spec, int workers)
        {
            var loader = new ImageLoader(source, new LoaderOptions(spec, BatchSize: 16, Seed: 7, Workers: workers));
            var batches = new List<(CropGeometry[], float[])>();
            foreach (var batch in loader.Epoch(2))
            {
                using (batch)
                {
                    batches.Add((batch.Geometry, MemoryMarshal.Cast<byte, float>(batch.Images.bytes).ToArray()));
                }
            }
            return batches;
        }
        var one = Read(augmented, 1);
        var three = Read(augmented, 3);
        var off = Read(plain, 2);
        for (int k = 0; k < one.Count; k++)
        {
            Assert.Equal(one[k].Pixels, three[k].Pixels);
            Assert.Equal(off[k].Geometry, one[k].Geometry);                    // RandAugment draws from its own stream
        }
        Assert.NotEqual(off[0].Pixels, one[0].Pixels);
        // The mean fill: ImageNet's mean in 8 bits.
        Assert.Equal(new Rgb24(124, 116, 104), augmented.AugmentFill);
    }
}
