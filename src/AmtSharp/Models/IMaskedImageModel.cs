using AmtSharp.Masking;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Models;

/// <summary>Loss and predictions of one masked-image-modelling forward pass.</summary>
/// <param name="Loss">Scalar reconstruction loss over masked patches only.</param>
/// <param name="Prediction">Predictions for the masked patches [B, n_m, p²·C], in the order of <see cref="MaskPlan.Masked"/>, in <paramref name="Layout"/>.</param>
/// <param name="Layout">How a prediction row is laid out.</param>
public sealed record MimOutput(Tensor Loss, Tensor Prediction, PatchLayout Layout);

/// <summary>The flattening order of a patch.</summary>
public enum PatchLayout
{
    /// <summary>(i, j, ch): MAE's patchify.</summary>
    PixelsThenChannels,

    /// <summary>(ch, i, j): SimMIM's pixel shuffle.</summary>
    ChannelsThenPixels,
}

/// <summary>An MAE- or SimMIM-style model: a ViT encoder trained by reconstructing the masked patches of a plan.</summary>
public interface IMaskedImageModel
{
    VisionTransformer Encoder { get; }

    /// <summary>Reconstruction loss for normalised images [B, C, S, S] under a plan.</summary>
    MimOutput Forward(Tensor images, MaskPlan plan);

    /// <summary>The reconstruction target for the masked patches [B, n_m, p²·C], in the output's layout.</summary>
    Tensor Target(Tensor images, MaskPlan plan);
}
