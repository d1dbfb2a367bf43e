using AmtSharp.Models.Vit;

namespace AmtSharp.Models.Interop;

/// <summary>
/// What the tensors of a foreign checkpoint cannot say, and how forgiving loading is.
/// </summary>
/// <param name="Encoder">Target encoder shape; null = inferred from the tensors (width, depth, patch, grid, MLP ratio).</param>
/// <param name="Heads">Attention heads (shapes do not show them). Null: the file's AmtSharp metadata, else the standard count for the width (width / 64; 16 for ViT-H/g widths).</param>
/// <param name="ImageSize">Build the encoder for this input size; the position embedding is resized to the new grid. Null: the file's own grid.</param>
/// <param name="DecoderHeads">MAE decoder heads. Null: metadata, else decoder width / 32 (MAE's 512 wide, 16 heads).</param>
/// <param name="Strict">Refuse files that lack keys the model has, or hold layers it does not have. Non-strict loads the
/// rest, keeps missing tensors at their initial values and lists both in the report.</param>
public sealed record InteropOptions(
    VitConfig? Encoder = null,
    int? Heads = null,
    int? ImageSize = null,
    int? DecoderHeads = null,
    bool Strict = true)
{
    public static InteropOptions Default { get; } = new();
}
