using AmtSharp.Core;
using AmtSharp.Models.Vit;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Models.Interop;

/// <summary>
/// Moves a position-embedding table [1, N, D] to another patch grid the way MAE's interpolate_pos_embed (and
/// timm's resample_abs_pos_embed without antialiasing) do: the G×G patch part is resized bicubically with
/// align_corners = false, so it keeps its layout over the image; the [CLS] slot is copied unchanged.
/// </summary>
public static class PositionEmbeddingResize
{
    /// <summary>Tolerance for recognising MAE's fixed sin-cos table (stored as float32).</summary>
    private const double SinCosTolerance = 1e-4;

    /// <summary>
    /// The grid side of a table with <paramref name="tokens"/> rows: 1 + G² (with a [CLS] slot, MAE and most timm
    /// ViTs) or G² (timm's no_embed_class / class-token-free models). Null when neither is a square.
    /// </summary>
    public static (int Grid, bool HasClsSlot)? Layout(long tokens)
    {
        if (Square(tokens - 1) is { } g && tokens > 1)
        {
            return (g, true);
        }
        return Square(tokens) is { } h ? (h, false) : null;
    }

    /// <summary>
    /// A [1, 1 + G'², D] float32 table for <paramref name="targetGrid"/>. A source without a [CLS] slot gets a zero
    /// one, which is equivalent: such models add no position to [CLS]. Same grid: values copied unchanged.
    /// </summary>
    public static Tensor Resize(Tensor pos, int targetGrid)
    {
        if (pos.dim() != 3 || pos.shape[0] != 1 || Layout(pos.shape[1]) is not var (grid, hasCls))
        {
            throw new ArgumentException($"expected a [1, 1 + G², D] or [1, G², D] table, got {Shapes.Format(pos.shape)}", nameof(pos));
        }
        using var scope = NewDisposeScope();
        long d = pos.shape[2];
        var source = pos.detach().to(ScalarType.Float32);
        var cls = hasCls ? source[.., ..1] : zeros(1, 1, d);
        var patches = hasCls ? source[.., 1..] : source;
        if (grid != targetGrid)
        {
            var image = patches.reshape(1, grid, grid, d).permute(0, 3, 1, 2);        // [1, D, G, G]
            var resized = nn.functional.interpolate(image, size: [targetGrid, targetGrid], mode: InterpolationMode.Bicubic, align_corners: false);
            patches = resized.permute(0, 2, 3, 1).reshape(1, (long)targetGrid * targetGrid, d);
        }
        return cat([cls, patches], 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Whether the table is MAE's fixed 2-D sin-cos embedding (ours) rather than a learned one.</summary>
    public static bool IsSinCos(Tensor pos)
    {
        if (pos.dim() != 3 || pos.shape[2] % 4 != 0 || Layout(pos.shape[1]) is not var (grid, hasCls))
        {
            return false;
        }
        using var scope = NewDisposeScope();
        var reference = SinCosPositionEmbedding.Create(grid, (int)pos.shape[2]);
        var expected = hasCls ? reference : reference[.., 1..];
        return (pos.detach().to(ScalarType.Float32) - expected).abs().max().item<float>() <= SinCosTolerance;
    }

    private static int? Square(long n)
    {
        if (n < 1)
        {
            return null;
        }
        long g = (long)Math.Round(Math.Sqrt(n));
        return g * g == n && g <= int.MaxValue ? (int)g : null;
    }
}
