using AmtSharp.Reporting;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Reporting;

/// <summary>The picture font's lower case: descenders below the baseline, and g unlike s or q.</summary>
public sealed class BitmapFontTests
{
    private const int Scale = 2;

    // Ink rows of one character drawn at the top-left corner, in font rows (0 = top of a capital).
    private static SortedSet<int> InkRows(char c)
    {
        int lines = BitmapFont.LineHeight(Scale);
        using var bitmap = new SKBitmap(BitmapFont.Measure("M", Scale), lines);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            BitmapFont.Draw(canvas, c.ToString(), 0, 0, Scale, SKColors.Black);
        }
        var rows = new SortedSet<int>();
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                if (bitmap.GetPixel(x, y).Red < 128)
                {
                    rows.Add(y / Scale);
                }
            }
        }
        return rows;
    }

    [Theory]
    [InlineData('g')]
    [InlineData('j')]
    [InlineData('p')]
    [InlineData('q')]
    [InlineData('y')]
    public void DescendersReachBelowTheBaselineWithinTheLine(char c)
    {
        int baseline = BitmapFont.GlyphHeight(Scale) / Scale;     // rows 0..6 sit on the baseline
        var rows = InkRows(c);
        Assert.True(rows.Max >= baseline + 1, $"'{c}' has no ink below the baseline (rows {string.Join(",", rows)})");
        Assert.True(rows.Max < BitmapFont.LineHeight(Scale) / Scale, $"'{c}' runs into the next line");
    }

    [Theory]
    [InlineData('a')]
    [InlineData('s')]
    [InlineData('n')]
    [InlineData('A')]
    public void OtherLettersStayOnTheBaseline(char c) =>
        Assert.True(InkRows(c).Max < BitmapFont.GlyphHeight(Scale) / Scale, $"'{c}' reaches below the baseline");

    [Fact]
    public void LowerCaseLettersThatWereLookAlikesDiffer()
    {
        Assert.NotEqual(InkRows('g'), InkRows('s'));
        Assert.NotEqual(Draw("g"), Draw("q"));
        Assert.NotEqual(Draw("y"), Draw("v"));
    }

    private static byte[] Draw(string text)
    {
        using var bitmap = new SKBitmap(BitmapFont.Measure(text, 1), BitmapFont.LineHeight(1));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            BitmapFont.Draw(canvas, text, 0, 0, 1, SKColors.Black);
        }
        return bitmap.Bytes;
    }
}
