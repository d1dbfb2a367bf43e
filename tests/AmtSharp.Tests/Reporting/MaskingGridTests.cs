using AmtSharp.Reporting;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Reporting;

public sealed class MaskingGridTests : IDisposable
{
    private readonly string _folder = ReportingTestData.TempFolder();

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static MaskingSample Sample(int size = 32, int grid = 4)
    {
        var codes = new int[grid * grid];
        codes[1] = 1;
        codes[2] = -1;
        codes[5] = 1;
        var prior = Enumerable.Range(0, grid * grid).Select(i => i / (float)(grid * grid - 1)).ToArray();
        return new MaskingSample(ReportingTestData.Ramp(size), prior, codes, ReportingTestData.Solid(size, 1f, 0f, 1f));
    }

    private static SKColor Centre(SKBitmap bitmap, MaskingGridLayout layout, int row, int column, int patch, int grid)
    {
        var (x, y) = layout.CellOrigin(row, column);
        int side = layout.CellSize / grid;
        return bitmap.GetPixel(x + patch % grid * side + side / 2, y + patch / grid * side + side / 2);
    }

    private static SKColor Expected(Rgb color) => color.ToColor();

    [Fact]
    public void WritesDecodablePngOfLayoutSize()
    {
        var samples = new[] { Sample(), Sample() with { Prior = null, Reconstruction = null } };
        var options = new MaskingGridOptions { Title = "grid", ReconstructionTitle = NormPixDenormalizer.ColumnTitle };
        string path = Path.Combine(_folder, "grid.png");
        MaskingGrid.Write(path, samples, options);
        var layout = MaskingGridLayout.For(samples, options);
        using var decoded = SKBitmap.Decode(path);
        Assert.NotNull(decoded);
        Assert.Equal(layout.Width, decoded.Width);
        Assert.Equal(layout.Height, decoded.Height);
        Assert.True(layout.CellSize >= 128);
        Assert.Equal(0, layout.CellSize % 32);
    }

    [Fact]
    public void MaskColumnShowsMaskedColourThrownHatchAndImageElsewhere()
    {
        var sample = Sample();
        var options = new MaskingGridOptions();
        using var bitmap = MaskingGrid.Render([sample], options);
        var layout = MaskingGridLayout.For([sample], options);
        var image = Raster.FromChw(sample.Image, 32).ScaleNearest(layout.Upscale);
        int side = layout.CellSize / 4;
        Rgb ImageAtCentre(int patch) => image[patch % 4 * side + side / 2, patch / 4 * side + side / 2];

        var style = options.Style;
        foreach (int masked in new[] { 1, 5 })
        {
            var expected = Expected(Rgb.Lerp(ImageAtCentre(masked), style.MaskedColor, style.MaskedOpacity));
            AssertClose(expected, Centre(bitmap, layout, 0, 2, masked, 4));
        }
        foreach (int visible in new[] { 0, 3, 15 })
        {
            AssertClose(Expected(ImageAtCentre(visible)), Centre(bitmap, layout, 0, 2, visible, 4));
            AssertClose(Expected(ImageAtCentre(visible)), Centre(bitmap, layout, 0, 0, visible, 4));
        }
        var thrown = Centre(bitmap, layout, 0, 2, 2, 4);
        Assert.Contains(thrown, new[] { style.ThrownColor.ToColor(), style.ThrownHatchColor.ToColor() });
    }

    [Fact]
    public void ReconstructionColumnTakesMaskedPatchesFromPredictionAndBlanksThrown()
    {
        var sample = Sample();
        var options = new MaskingGridOptions();
        using var bitmap = MaskingGrid.Render([sample], options);
        var layout = MaskingGridLayout.For([sample], options);
        var image = Raster.FromChw(sample.Image, 32).ScaleNearest(layout.Upscale);
        int side = layout.CellSize / 4;
        AssertClose(new SKColor(255, 0, 255), Centre(bitmap, layout, 0, 3, 1, 4));
        AssertClose(new SKColor(255, 0, 255), Centre(bitmap, layout, 0, 3, 5, 4));
        AssertClose(options.Style.BlankColor.ToColor(), Centre(bitmap, layout, 0, 3, 2, 4));
        AssertClose(Expected(image[side / 2, side / 2]), Centre(bitmap, layout, 0, 3, 0, 4));
    }

    [Fact]
    public void PriorColumnIsBrighterWhereThePriorIsHigh()
    {
        var sample = Sample() with { Image = ReportingTestData.Solid(32, 0.5f, 0.5f, 0.5f) };
        var options = new MaskingGridOptions();
        using var bitmap = MaskingGrid.Render([sample], options);
        var layout = MaskingGridLayout.For([sample], options);
        float Lum(SKColor c) => Rgb.FromColor(c).Luminance;
        Assert.True(Lum(Centre(bitmap, layout, 0, 1, 15, 4)) > Lum(Centre(bitmap, layout, 0, 1, 0, 4)) + 0.2f);
    }

    [Fact]
    public void RejectsCodesThatDoNotTileTheImage()
    {
        var sample = Sample() with { Codes = new int[9] };
        Assert.Throws<ArgumentException>(() => MaskingGrid.Render([sample]));
    }

    private static void AssertClose(SKColor expected, SKColor actual)
    {
        Assert.True(Math.Abs(expected.Red - actual.Red) <= 2 && Math.Abs(expected.Green - actual.Green) <= 2
            && Math.Abs(expected.Blue - actual.Blue) <= 2, $"expected {expected}, got {actual}");
    }
}
