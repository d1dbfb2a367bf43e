using SkiaSharp;

namespace AmtSharp.Reporting.Snapshots;

/// <summary>An encoded PNG and its size (what TensorBoard's image summary needs besides the bytes).</summary>
public sealed record Picture(byte[] Png, int Width, int Height)
{
    public static Picture From(SKBitmap bitmap, string what)
    {
        var png = PngWriter.Encode(bitmap, what);
        return new Picture(png, bitmap.Width, bitmap.Height);
    }

    public void Save(string path) => PngWriter.Save(Png, path);
}

/// <summary>The two pictures of a <see cref="Snapshot"/>: the masking grid and the attention overlay.</summary>
public static class SnapshotPictures
{
    /// <summary>
    /// The grid's appearance: the prior stretched per image (its shape matters, not its scale); masked patches a
    /// flat colour, which no (noisy) image patch matches, so they stay distinct from visible ones whatever the image.
    /// </summary>
    public static MaskingGridOptions GridOptions(string title, string reconstructionTitle) => new()
    {
        Title = title,
        ReconstructionTitle = reconstructionTitle,
        PriorScaling = MapScaling.MinMax,
        Style = new MaskStyle { MaskedOpacity = 1f },
    };

    public static AttentionOverlayOptions AttentionOptions(string title) => new()
    {
        Title = title,
        MinCellSize = 128,
        Columns = 4,
    };

    public static Picture MaskingGrid(Snapshot snapshot, string title)
    {
        using var bitmap = Reporting.MaskingGrid.Render(snapshot.Masking, GridOptions(title, snapshot.ReconstructionTitle));
        return Picture.From(bitmap, "the masking grid");
    }

    public static Picture AttentionOverlay(Snapshot snapshot, string title)
    {
        using var bitmap = Reporting.AttentionOverlay.Render(snapshot.Attention, AttentionOptions(title));
        return Picture.From(bitmap, "the attention overlay");
    }
}
