using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>Saves bitmaps as PNG files, creating the folder if needed.</summary>
public static class PngWriter
{
    public static void Save(SKBitmap bitmap, string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new IOException($"could not encode PNG for {path}");
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }
}
