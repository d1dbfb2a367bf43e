using AmtSharp.Core;
using AmtSharp.Data.Sources;
using AmtSharp.Data.Transforms;
using Xunit;

namespace AmtSharp.Tests.Data;

/// <summary>The five mapping properties of docs/method.md#prior-mapping, plus "the feature goes where the image content went".</summary>
public sealed class CropGeometryTests
{
    private static float[] RandomMap(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, rows * cols).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    [Fact]
    public void IdentityCropReturnsTheMapExactly()
    {
        float[] m = RandomMap(14, 14, 1);
        Assert.Equal(m, CropGeometry.Identity.MapToGrid(m, 14, 14, 14, 14));
    }

    [Fact]
    public void FlipReversesColumns()
    {
        float[] m = RandomMap(6, 6, 2);
        var plain = new CropGeometry(0.1, 0.2, 0.6, 0.7, false);
        float[] a = plain.MapToGrid(m, 6, 6, 4, 5);
        float[] b = (plain with { Flipped = true }).MapToGrid(m, 6, 6, 4, 5);
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 5; c++)
            {
                Assert.Equal(a[r * 5 + c], b[r * 5 + (4 - c)]);
            }
        }
    }

    [Fact]
    public void TopLeftQuadrantUpsamplesEachCellTwice()
    {
        const int g = 8;
        float[] m = RandomMap(g, g, 3);
        float[] w = new CropGeometry(0, 0, 0.5, 0.5, false).MapToGrid(m, g, g, g, g);
        for (int a = 0; a < g; a++)
        {
            for (int b = 0; b < g; b++)
            {
                Assert.Equal(m[a / 2 * g + b / 2], w[a * g + b], 6);
            }
        }
    }

    [Fact]
    public void HalfSizeGridAveragesTwoByTwoCells()
    {
        const int g = 14, go = 7;
        float[] m = RandomMap(g, g, 4);
        float[] w = CropGeometry.Identity.MapToGrid(m, g, g, go, go);
        for (int a = 0; a < go; a++)
        {
            for (int b = 0; b < go; b++)
            {
                float mean = (m[2 * a * g + 2 * b] + m[2 * a * g + 2 * b + 1] + m[(2 * a + 1) * g + 2 * b] + m[(2 * a + 1) * g + 2 * b + 1]) / 4;
                Assert.Equal(mean, w[a * go + b], 5);
            }
        }
    }

    [Fact]
    public void RandomCropsStayWithinTheMapRange()
    {
        float[] m = RandomMap(14, 14, 5);
        float lo = m.Min(), hi = m.Max();
        var spec = TransformSpec.Train(224);
        for (int i = 0; i < 500; i++)
        {
            Random rng = Seeds.Random(9, Seeds.Purpose.Augment, 0, i);
            CropGeometry g = spec.SampleGeometry(37 + i % 300, 29 + i * 7 % 400, rng);
            foreach (float v in g.MapToGrid(m, 14, 14, i % 2 == 0 ? 14 : 7, i % 2 == 0 ? 14 : 7))
            {
                Assert.InRange(v, lo - 1e-6f, hi + 1e-6f);
            }
        }
    }

    [Fact]
    public void HotCellFollowsCropAndFlipOfTheImage()
    {
        // A 64x64 black image with one bright 8x8 block at prior cell (row 5, col 2) of an 8x8 grid.
        const int s = 64, g = 8;
        var px = new byte[s * s * 3];
        for (int y = 40; y < 48; y++)
        {
            for (int x = 16; x < 24; x++)
            {
                px[(y * s + x) * 3] = px[(y * s + x) * 3 + 1] = px[(y * s + x) * 3 + 2] = 255;
            }
        }
        var image = new AmtSharp.Data.RgbImage(s, s, px);
        var map = new float[g * g];
        map[5 * g + 2] = 1;

        // Crop rows 32..64, cols 0..32 (contains the block at local rows 8..16, cols 16..24), then flip.
        var geometry = new CropGeometry(0.5, 0, 0.5, 0.5, true);
        float[] mapped = geometry.MapToGrid(map, g, g, 4, 4);
        AmtSharp.Data.RgbImage rendered = CropRenderer.Render(image, geometry, 32);

        int hot = Array.IndexOf(mapped, mapped.Max());
        int brightest = BrightestCell(rendered, 4);
        Assert.Equal(brightest, hot);
        // Local block rows 8..16 of 32 -> grid row 1; cols 16..24 -> col 2, flipped -> col 1.
        Assert.Equal(1 * 4 + 1, hot);
    }

    [Fact]
    public void SyntheticForegroundMaskFollowsRandomCropsAndFlips()
    {
        var source = SyntheticShapesSource.Train(seed: 3, count: 40, size: 64);
        var spec = TransformSpec.Train(64, scaleMin: 0.3);
        const int grid = 8;
        double totalError = 0;
        int cells = 0;
        for (int i = 0; i < source.Count; i++)
        {
            float[] mask = source.ForegroundMask(i, out int w, out int h);
            CropGeometry g = spec.SampleGeometry(w, h, Seeds.Random(1, Seeds.Purpose.Augment, 0, i));
            float[] mapped = g.MapToGrid(mask, h, w, grid, grid);

            // Render the mask itself as a grey image through the same geometry and average it per cell.
            var grey = new byte[w * h * 3];
            for (int p = 0; p < w * h; p++)
            {
                grey[3 * p] = grey[3 * p + 1] = grey[3 * p + 2] = (byte)Math.Round(mask[p] * 255);
            }
            AmtSharp.Data.RgbImage rendered = CropRenderer.Render(new AmtSharp.Data.RgbImage(w, h, grey), g, 64);
            float[] observed = CellMeans(rendered, grid);
            for (int c = 0; c < grid * grid; c++)
            {
                totalError += Math.Abs(observed[c] - mapped[c]);
                Assert.True(Math.Abs(observed[c] - mapped[c]) < 0.2, $"image {i} cell {c}: image {observed[c]:F3} vs map {mapped[c]:F3} ({g})");
            }
            cells += grid * grid;
        }
        Assert.True(totalError / cells < 0.02, $"mean abs error {totalError / cells}");
    }

    private static float[] CellMeans(AmtSharp.Data.RgbImage img, int grid)
    {
        int cell = img.Width / grid;
        var means = new float[grid * grid];
        for (int y = 0; y < img.Height; y++)
        {
            for (int x = 0; x < img.Width; x++)
            {
                means[y / cell * grid + x / cell] += img.Pixels[img.Offset(y, x)] / 255f / (cell * cell);
            }
        }
        return means;
    }

    private static int BrightestCell(AmtSharp.Data.RgbImage img, int grid)
    {
        float[] means = CellMeans(img, grid);
        return Array.IndexOf(means, means.Max());
    }
}
