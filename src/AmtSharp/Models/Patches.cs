using static TorchSharp.torch;

namespace AmtSharp.Models;

/// <summary>Cutting images into flattened patches and back, in the two layouts the methods use.</summary>
public static class Patches
{
    /// <summary>
    /// MAE layout: [B, C, S, S] → [B, L, p²·C]; element (i·p + j)·C + ch of patch (r, c) is pixel
    /// (r·p + i, c·p + j) of channel ch.
    /// </summary>
    public static Tensor Patchify(Tensor images, int patchSize)
    {
        var (b, c, g) = Shape(images, patchSize);
        using var x = images.reshape(b, c, g, patchSize, g, patchSize);
        using var y = x.permute(0, 2, 4, 3, 5, 1);                 // [B, G, G, p, p, C]
        return y.reshape(b, g * g, patchSize * patchSize * c);
    }

    /// <summary>Inverse of <see cref="Patchify"/>.</summary>
    public static Tensor Unpatchify(Tensor patches, int patchSize, int channels = 3)
    {
        long b = patches.shape[0];
        int g = (int)Math.Round(Math.Sqrt(patches.shape[1]));
        using var x = patches.reshape(b, g, g, patchSize, patchSize, channels);
        using var y = x.permute(0, 5, 1, 3, 2, 4);                 // [B, C, G, p, G, p]
        return y.reshape(b, channels, g * patchSize, g * patchSize);
    }

    /// <summary>
    /// SimMIM / PixelShuffle layout: [B, C, S, S] → [B, L, C·p²]; element ch·p² + i·p + j is pixel (i, j) of
    /// channel ch within the patch.
    /// </summary>
    public static Tensor PatchifyChannelsFirst(Tensor images, int patchSize)
    {
        var (b, c, g) = Shape(images, patchSize);
        using var x = images.reshape(b, c, g, patchSize, g, patchSize);
        using var y = x.permute(0, 2, 4, 1, 3, 5);                 // [B, G, G, C, p, p]
        return y.reshape(b, g * g, c * patchSize * patchSize);
    }

    /// <summary>Inverse of <see cref="PatchifyChannelsFirst"/>.</summary>
    public static Tensor UnpatchifyChannelsFirst(Tensor patches, int patchSize, int channels = 3)
    {
        long b = patches.shape[0];
        int g = (int)Math.Round(Math.Sqrt(patches.shape[1]));
        using var x = patches.reshape(b, g, g, channels, patchSize, patchSize);
        using var y = x.permute(0, 3, 1, 4, 2, 5);                 // [B, C, G, p, G, p]
        return y.reshape(b, channels, g * patchSize, g * patchSize);
    }

    /// <summary>Rows of a [B, L, …] tensor at per-sample indices [B, n] → [B, n, …].</summary>
    public static Tensor Gather(Tensor tokens, Tensor indices)
    {
        using var idx = indices.unsqueeze(-1).expand(-1, -1, tokens.shape[2]);
        return tokens.gather(1, idx);
    }

    private static (long B, long C, int G) Shape(Tensor images, int patchSize)
    {
        if (images.dim() != 4 || images.shape[2] != images.shape[3] || images.shape[2] % patchSize != 0)
        {
            throw new ArgumentException($"expected square images [B, C, S, S] with S divisible by {patchSize}, got [{string.Join(", ", images.shape)}]");
        }
        return (images.shape[0], images.shape[1], (int)(images.shape[2] / patchSize));
    }
}
