namespace AmtSharp.Data;

/// <summary>A decoded image: width, height and interleaved 8-bit RGB (row-major, 3 bytes per pixel).</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.Length != width * height * 3)
        {
            throw new ArgumentException($"expected {width * height * 3} bytes for {width}x{height} RGB, got {pixels.Length}", nameof(pixels));
        }
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>w*h*3 bytes, R G B per pixel, rows top to bottom.</summary>
    public byte[] Pixels { get; }

    /// <summary>Index into <see cref="Pixels"/> of the red byte of pixel (row y, column x).</summary>
    public int Offset(int y, int x) => (y * Width + x) * 3;
}
