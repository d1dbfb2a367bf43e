using AmtSharp.Models.Interop;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Interop;

/// <summary>Resizing position tables to another patch grid (MAE's interpolate_pos_embed).</summary>
public sealed class PositionEmbeddingResizeTests
{
    private const int Width = 4;

    /// <summary>
    /// A table whose channels are smooth functions of the patch centre (u, v) ∈ (0, 1)², the geometry that
    /// align_corners = false keeps across grids: u, v, sin(πu)·cos(πv), u·v. [CLS] holds 7, 8, 9, 10.
    /// </summary>
    private static Tensor SmoothTable(int grid, bool withCls = true)
    {
        var data = new List<float>();
        if (withCls)
        {
            data.AddRange([7f, 8f, 9f, 10f]);
        }
        for (int r = 0; r < grid; r++)
        {
            for (int c = 0; c < grid; c++)
            {
                double u = (c + 0.5) / grid, v = (r + 0.5) / grid;
                data.AddRange([(float)u, (float)v, (float)(Math.Sin(Math.PI * u) * Math.Cos(Math.PI * v)), (float)(u * v)]);
            }
        }
        return torch.tensor(data.ToArray(), [1, data.Count / Width, Width]);
    }

    [Fact]
    public void TheSameGridLeavesEveryValueUnchanged()
    {
        using var table = SmoothTable(6);
        using var same = PositionEmbeddingResize.Resize(table, 6);
        InteropTestData.AssertBitEqual(table, same, "same grid");
    }

    [Theory]
    [InlineData(6, 12)]
    [InlineData(6, 9)]
    [InlineData(12, 6)]
    [InlineData(14, 16)]
    public void ASmoothFieldIsResampledAtTheNewPatchCentres(int from, int to)
    {
        using var table = SmoothTable(from);
        using var resized = PositionEmbeddingResize.Resize(table, to);
        Assert.Equal([1L, 1 + to * to, Width], resized.shape);
        InteropTestData.AssertBitEqual(table[.., ..1], resized[.., ..1], "[CLS] slot");

        // Bicubic (a = −0.75) is close to the field; near the border, where the taps run off the old grid and the
        // edge value is held (as in MAE), less so.
        using var expected = SmoothTable(to);
        var error = (resized - expected)[0, 1..].abs().amax([1]).data<float>().ToArray();
        double interior = 0, overall = error.Max();
        for (int i = 0; i < to * to; i++)
        {
            if (AllTapsInside(i % to, from, to) && AllTapsInside(i / to, from, to))
            {
                interior = Math.Max(interior, error[i]);
            }
        }
        Assert.True(interior < 0.03, $"max error where every tap is on the old grid: {interior}");
        Assert.True(overall < 0.1, $"max error: {overall}");

        // Positions keep their order: the u channel still increases along every row.
        var u = resized[0, 1.., 0].reshape(to, to);
        Assert.True((u[.., 1..] - u[.., ..^1]).min().item<float>() > 0, "u is not increasing along rows");
    }

    [Fact]
    public void ATableWithoutAClsSlotGetsAZeroOne()
    {
        using var withCls = SmoothTable(6);
        using var without = SmoothTable(6, withCls: false);
        using var a = PositionEmbeddingResize.Resize(withCls, 8);
        using var b = PositionEmbeddingResize.Resize(without, 8);
        Assert.Equal(a.shape, b.shape);
        Assert.True(b[.., ..1].eq(0).all().item<bool>());
        InteropTestData.AssertBitEqual(a[.., 1..], b[.., 1..], "patch part");
        using var same = PositionEmbeddingResize.Resize(without, 6);
        InteropTestData.AssertBitEqual(withCls[.., 1..], same[.., 1..], "same grid, no [CLS] slot");
    }

    [Fact]
    public void TablesThatAreNotSquareGridsAreRefused()
    {
        Assert.Equal((6, true), PositionEmbeddingResize.Layout(37));
        Assert.Equal((6, false), PositionEmbeddingResize.Layout(36));
        Assert.Null(PositionEmbeddingResize.Layout(40));
        using var odd = torch.zeros(1, 40, Width);
        Assert.Throws<ArgumentException>(() => PositionEmbeddingResize.Resize(odd, 4));
    }

    [Fact]
    public void OurSinCosTableIsRecognisedAndALearnedOneIsNot()
    {
        using var sinCos = AmtSharp.Models.Vit.SinCosPositionEmbedding.Create(6, 32);
        Assert.True(PositionEmbeddingResize.IsSinCos(sinCos));
        using var learned = sinCos + 0.01f;
        Assert.False(PositionEmbeddingResize.IsSinCos(learned));
    }

    /// <summary>Whether bicubic resampling of output index <paramref name="x"/> uses only real (unclamped) source samples.</summary>
    private static bool AllTapsInside(int x, int from, int to)
    {
        double s = (x + 0.5) * from / to - 0.5;
        return Math.Floor(s) - 1 >= 0 && Math.Floor(s) + 2 <= from - 1;
    }
}
