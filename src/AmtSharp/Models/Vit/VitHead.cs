namespace AmtSharp.Models.Vit;

/// <summary>How a ViT classifier summarises its tokens for the head (timm's <c>global_pool</c>).</summary>
public enum VitPooling
{
    /// <summary>The [CLS] token after the final <c>norm</c>.</summary>
    Cls,

    /// <summary>
    /// MAE's fine-tuning feature: the mean of the patch tokens ([CLS] excluded) followed by a new LayerNorm
    /// <c>fc_norm</c>; the encoder's final <c>norm</c> is dropped.
    /// </summary>
    GlobalAverage,
}

/// <summary>A classification head on a <see cref="VisionTransformer"/>: <c>head</c> = Linear(D, Classes).</summary>
public sealed record VitHead(int Classes, VitPooling Pooling = VitPooling.GlobalAverage);
