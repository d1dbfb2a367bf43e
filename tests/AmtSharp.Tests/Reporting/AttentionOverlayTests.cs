using AmtSharp.Reporting;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Reporting;

public sealed class AttentionOverlayTests : IDisposable
{
    private readonly string _folder = ReportingTestData.TempFolder();

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void WritesDecodableGridOfLayoutSizeWithOutline()
    {
        const int s = 16;
        var foreground = new bool[s * s];
        for (int y = 4; y < 12; y++)
        {
            for (int x = 4; x < 12; x++)
            {
                foreground[y * s + x] = true;
            }
        }
        var attention = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        var samples = Enumerable.Range(0, 5)
            .Select(i => new AttentionSample(ReportingTestData.Solid(s, 0.2f, 0.2f, 0.2f), attention, i % 2 == 0 ? foreground : null, $"img {i}"))
            .ToArray();
        var options = new AttentionOverlayOptions { Columns = 3, Title = "attention", ContourColor = new Rgb(1, 0, 1) };
        string path = Path.Combine(_folder, "att.png");
        AttentionOverlay.Write(path, samples, options);
        var layout = AttentionOverlayLayout.For(samples, options);
        using var decoded = SKBitmap.Decode(path);
        Assert.NotNull(decoded);
        Assert.Equal((layout.Width, layout.Height), (decoded.Width, decoded.Height));
        Assert.Equal((3, 2), (layout.Columns, layout.Rows));

        var (x0, y0) = layout.CellOrigin(0);
        int up = layout.Upscale;
        Assert.Equal(new SKColor(255, 0, 255), decoded.GetPixel(x0 + 4 * up, y0 + 8 * up));          // on the outline
        Assert.NotEqual(new SKColor(255, 0, 255), decoded.GetPixel(x0 + 8 * up, y0 + 8 * up));       // inside
        var (x1, y1) = layout.CellOrigin(1);
        Assert.NotEqual(new SKColor(255, 0, 255), decoded.GetPixel(x1 + 4 * up, y1 + 8 * up));       // no mask
    }

    [Fact]
    public void OutlineIsOnlyTheBorderOfTheEnlargedMask()
    {
        var mask = new[] { false, false, false, false, true, false, false, false, false };
        var outline = MaskOutline.Trace(mask, 3, 4, 1);
        Assert.True(outline[4 * 12 + 4]);
        Assert.False(outline[5 * 12 + 5]);
        Assert.False(outline[0]);
        Assert.Equal(12, outline.Count(b => b));
    }
}
