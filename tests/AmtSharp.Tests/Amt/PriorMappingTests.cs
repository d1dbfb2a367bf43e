using AmtSharp.Amt;
using AmtSharp.Data.Transforms;
using AmtSharp.Masking;
using Xunit;

namespace AmtSharp.Tests.Amt;

/// <summary>The batched crop mapping of the prior gives, sample by sample, what the per-sample reference gives.</summary>
public sealed class PriorMappingTests
{
    [Theory]
    [InlineData(8, 1)]      // MAE at 32/4: one weight per patch
    [InlineData(8, 2)]      // SimMIM at 32/4 with 8 px units
    [InlineData(14, 1)]     // ViT-B/16 at 224
    [InlineData(14, 7)]     // a coarse unit grid
    public void BatchedWeightsMatchTheReferenceForEveryCropAndFlip(int patchGrid, int unitPatches)
    {
        var grid = new MaskGrid(patchGrid, unitPatches);
        var rng = new Random(patchGrid * 10 + unitPatches);
        const int images = 12;
        var values = new float[images * patchGrid * patchGrid];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)rng.NextDouble();
        }
        var store = PriorStore.FromArray(values, images, patchGrid, 0);
        var indices = new List<int>();
        var geometry = new List<CropGeometry>
        {
            CropGeometry.Identity,
            CropGeometry.Identity with { Flipped = true },
            new(0.9999, 0.5, 0.0, 0.2, false),          // a degenerate (zero-height) box at the border
            new(0.0, 0.0, 1.0, 1.0 / 3, true),          // a box whose edges fall inside cells
        };
        while (geometry.Count < 40)
        {
            double h = 0.1 + 0.9 * rng.NextDouble(), w = 0.1 + 0.9 * rng.NextDouble();
            geometry.Add(new CropGeometry((1 - h) * rng.NextDouble(), (1 - w) * rng.NextDouble(), h, w, rng.Next(2) == 1));
        }
        for (int i = 0; i < geometry.Count; i++)
        {
            indices.Add(rng.Next(images));
        }

        using var batched = PriorMapping.Weights(store, indices, geometry, grid);
        Assert.Equal([geometry.Count, grid.Cells], batched.shape);
        var actual = batched.data<float>().ToArray();
        for (int i = 0; i < geometry.Count; i++)
        {
            var expected = geometry[i].MapToGrid(store.GetCopy(indices[i]), patchGrid, patchGrid, grid.UnitGrid, grid.UnitGrid);
            for (int c = 0; c < grid.Cells; c++)
            {
                Assert.True(Math.Abs(expected[c] - actual[i * grid.Cells + c]) < 1e-6,
                    $"sample {i} ({geometry[i]}), cell {c}: expected {expected[c]}, got {actual[i * grid.Cells + c]}");
            }
        }
    }

    [Fact]
    public void MismatchedGeometryCountIsRefused()
    {
        var store = new PriorStore(2, 4);
        Assert.Throws<ArgumentException>(() => PriorMapping.Weights(store, [0, 1], [CropGeometry.Identity], new MaskGrid(4)));
    }
}
