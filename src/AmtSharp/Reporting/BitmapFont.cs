using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>
/// Draws text with the built-in 5×7 pixel font, each font pixel a <c>scale</c>×<c>scale</c> square; one line only
/// (see <see cref="TextWrapper"/> for several). Independent of system fonts.
/// </summary>
public static class BitmapFont
{
    /// <summary>Height of one line of ink in output pixels.</summary>
    public static int GlyphHeight(int scale) => BitmapFontGlyphs.Height * scale;

    /// <summary>Distance between the tops of two lines: the glyph, its descender rows and one blank row.</summary>
    public static int LineHeight(int scale) => (BitmapFontGlyphs.Height + BitmapFontGlyphs.Descent + 1) * scale;

    /// <summary>Width of <paramref name="text"/> in output pixels (one blank column between glyphs).</summary>
    public static int Measure(string text, int scale) =>
        text.Length == 0 ? 0 : (text.Length * (BitmapFontGlyphs.Width + 1) - 1) * scale;

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y).</summary>
    public static void Draw(SKCanvas canvas, string text, float x, float y, int scale, SKColor color)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        using var paint = new SKPaint { Color = color, IsAntialias = false, Style = SKPaintStyle.Fill };
        float left = x;
        foreach (char c in text)
        {
            byte[] rows = BitmapFontGlyphs.Rows(c);
            for (int r = 0; r < rows.Length; r++)
            {
                for (int col = 0; col < BitmapFontGlyphs.Width; col++)
                {
                    if ((rows[r] >> (BitmapFontGlyphs.Width - 1 - col) & 1) != 0)
                    {
                        canvas.DrawRect(left + col * scale, y + r * scale, scale, scale, paint);
                    }
                }
            }
            left += (BitmapFontGlyphs.Width + 1) * scale;
        }
    }

    /// <summary>Draws <paramref name="text"/> centred horizontally on <paramref name="centerX"/>.</summary>
    public static void DrawCentered(SKCanvas canvas, string text, float centerX, float y, int scale, SKColor color) =>
        Draw(canvas, text, centerX - Measure(text, scale) / 2f, y, scale, color);

    /// <summary>Draws <paramref name="text"/> rotated 90° counter-clockwise, centred on (centerX, centerY).</summary>
    public static void DrawVertical(SKCanvas canvas, string text, float centerX, float centerY, int scale, SKColor color)
    {
        canvas.Save();
        canvas.Translate(centerX, centerY);
        canvas.RotateDegrees(-90);
        Draw(canvas, text, -Measure(text, scale) / 2f, -GlyphHeight(scale) / 2f, scale, color);
        canvas.Restore();
    }
}
