using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Data.Transforms;
using AmtSharp.Masking;
using Xunit;

namespace AmtSharp.Tests.Amt;

/// <summary>The released code's prior mapping, reproduced for the study's official arm, and the prior's statistics.</summary>
public sealed class OfficialPriorCropTests
{
    [Fact]
    public void TheSliceArithmeticMatchesTheWorkedExamples()
    {
        // 375 × 500 image (H 375, W 500), crop top 50, left 80, height 200, width 300: rows 0:2, columns 0:2.
        var crop = CropGeometry.FromPixels(50, 80, 200, 300, imageWidth: 500, imageHeight: 375, flipped: false);
        Assert.Equal(2, OfficialPriorCrop.SliceEnd(crop.Top, crop.Height));
        Assert.Equal(2, OfficialPriorCrop.SliceEnd(crop.Left, crop.Width));
        // A full 224 × 224 crop reaches both far edges: 0:3 × 0:3.
        var full = CropGeometry.FromPixels(0, 0, 224, 224, 224, 224, flipped: false);
        Assert.Equal(3, OfficialPriorCrop.SliceEnd(full.Top, full.Height));
        Assert.Equal(3, OfficialPriorCrop.SliceEnd(full.Left, full.Width));
        // Reaching only the bottom edge: 0:3 rows, 0:2 columns.
        var bottom = CropGeometry.FromPixels(175, 80, 200, 300, 500, 375, flipped: false);
        Assert.Equal(3, OfficialPriorCrop.SliceEnd(bottom.Top, bottom.Height));
        Assert.Equal(2, OfficialPriorCrop.SliceEnd(bottom.Left, bottom.Width));
    }

    [Theory]
    [InlineData(14, 1, 224, false)]   // ViT-B/16: a weight per patch
    [InlineData(14, 2, 224, true)]    // SimMIM's 32 px units, flipped
    [InlineData(8, 1, 32, true)]      // the study's 32 px images, 4 px patches
    public void WeightsEqualABilinearResizeOfTheCornerSummedPerCell(int g, int unitPatches, int imageSize, bool flipped)
    {
        var rng = new Random(g + unitPatches);
        var values = new float[2 * g * g];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)rng.NextDouble();
        }
        var store = PriorStore.FromArray(values, 2, g, 0);
        var grid = new MaskGrid(g, unitPatches);
        CropGeometry[] crops =
        [
            CropGeometry.FromPixels(50, 80, 200, 300, 500, 375, flipped),     // slice 2 × 2
            CropGeometry.FromPixels(175, 0, 200, 500, 500, 375, flipped),     // slice 3 × 3
        ];
        using var weights = PriorMapping.Weights(store, [0, 1], crops, grid, PriorCrop.Official, imageSize);
        var actual = weights.data<float>().ToArray();
        int ug = grid.UnitGrid, cell = imageSize / ug;
        for (int n = 0; n < 2; n++)
        {
            int rowsEnd = n == 0 ? 2 : 3, colsEnd = n == 0 ? 2 : 3;
            var map = store.GetCopy(n);
            // Reference: every output pixel by PyTorch's bilinear formula (align_corners = false), then per-cell sums.
            var expected = new double[ug * ug];
            for (int y = 0; y < imageSize; y++)
            {
                for (int x = 0; x < imageSize; x++)
                {
                    double v = Bilinear(map, g, rowsEnd, colsEnd, y, x, imageSize);
                    int col = flipped ? imageSize - 1 - x : x;
                    expected[y / cell * ug + col / cell] += Math.Clamp(v, 0, 1);
                }
            }
            for (int c = 0; c < ug * ug; c++)
            {
                Assert.Equal(expected[c], actual[n * ug * ug + c], 2e-5 * Math.Max(1, expected[c]));
            }
        }
    }

    [Fact]
    public void OnlyTheTopLeftCornerOfThePriorMatters()
    {
        var a = Enumerable.Repeat(0.5f, 64).ToArray();
        var b = Enumerable.Range(0, 64).Select(i => i / 63f).ToArray();
        foreach (int i in new[] { 0, 1, 2, 8, 9, 10, 16, 17, 18 })
        {
            b[i] = a[i];                                   // same 3 × 3 corner, different elsewhere
        }
        var store = PriorStore.FromArray([.. a, .. b], 2, 8, 0);
        var crop = CropGeometry.FromPixels(3, 5, 20, 27, 32, 32, flipped: false);
        using var w = PriorMapping.Weights(store, [0, 1], [crop, crop], new MaskGrid(8), PriorCrop.Official, 32);
        using var exact = PriorMapping.Weights(store, [0, 1], [crop, crop], new MaskGrid(8), PriorCrop.Exact, 32);
        Assert.True(w[0].allclose(w[1]));
        Assert.False(exact[0].allclose(exact[1]));          // the exact mapping sees the crop's own region
    }

    [Fact]
    public void CentreShareAndRankCorrelationDescribeTheMaps()
    {
        Assert.Equal(16, PriorStore.CentreCells(8).Count(c => c));
        Assert.True(PriorStore.CentreCells(8)[2 * 8 + 2] && !PriorStore.CentreCells(8)[1 * 8 + 2]);
        // Map 0 peaks in the centre, map 1 in a corner.
        var centre = new float[64];
        var corner = new float[64];
        for (int r = 0; r < 8; r++)
        {
            for (int c = 0; c < 8; c++)
            {
                centre[r * 8 + c] = 10 - Math.Max(Math.Abs(r - 3.5f), Math.Abs(c - 3.5f));
                corner[r * 8 + c] = 20 - (r + c);
            }
        }
        var store = PriorStore.FromArray([.. centre, .. corner], 2, 8, 0);
        var previous = store.ToArray();
        var stats = store.Statistics(previous);
        Assert.Equal(0.25, stats.CentreShare!.Value, 12);
        // All 16 of the centre map's top cells are central; of the corner map's (r + c ≤ 4, then (0, 5) by index) only (2, 2).
        Assert.Equal((1.0 + 1.0 / 16) / 2, stats.CentreTopQuartile!.Value, 12);
        Assert.Equal(1.0, stats.RankCorrelationWithPrevious!.Value, 12);
        var reversed = new[] { centre, corner }.SelectMany(m => m.Select(v => -v)).ToArray();
        Assert.Equal(-1.0, store.Statistics(reversed).RankCorrelationWithPrevious!.Value, 12);
        Assert.Null(store.Statistics().RankCorrelationWithPrevious);
        Assert.Equal(0, RankStatistics.Spearman(new float[] { 1, 1, 1 }, new float[] { 1, 2, 3 }));
        Assert.Equal([1.5, 1.5, 3], RankStatistics.AverageRanks(new float[] { 2, 2, 5 }));
    }

    private static double Bilinear(float[] map, int g, int rows, int cols, int y, int x, int size)
    {
        static (int Lo, int Hi, double T) Axis(int o, int input, int output)
        {
            double s = Math.Max((o + 0.5) * input / output - 0.5, 0);
            int lo = (int)Math.Floor(s);
            return (lo, Math.Min(lo + 1, input - 1), s - lo);
        }
        var (y0, y1, ty) = Axis(y, rows, size);
        var (x0, x1, tx) = Axis(x, cols, size);
        double At(int r, int c) => map[r * g + c];
        return (1 - ty) * ((1 - tx) * At(y0, x0) + tx * At(y0, x1)) + ty * ((1 - tx) * At(y1, x0) + tx * At(y1, x1));
    }
}
