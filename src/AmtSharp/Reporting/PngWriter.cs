using SkiaSharp;

namespace AmtSharp.Reporting;

/// <summary>Saves bitmaps as PNG files, creating the folder if needed.</summary>
public static class PngWriter
{
    public static void Save(SKBitmap bitmap, string path) => Save(Encode(bitmap, path), path);

    /// <summary>Writes already encoded PNG bytes (e.g. the same picture also sent to TensorBoard).</summary>
    public static void Save(byte[] png, string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        File.WriteAllBytes(path, png);
    }

    /// <summary>The PNG bytes of a bitmap; <paramref name="what"/> names it in the error message.</summary>
    public static byte[] Encode(SKBitmap bitmap, string what = "picture")
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new IOException($"could not encode PNG for {what}");
        return data.ToArray();
    }
}
