using AmtSharp.Models.Vit;

namespace AmtSharp.Models.Mae;

/// <summary>MAE: an encoder, an asymmetric (narrow, shallow) decoder and the pixel target.</summary>
/// <param name="Encoder">The ViT encoder.</param>
/// <param name="DecoderWidth">Decoder token width D_d (paper: 512).</param>
/// <param name="DecoderDepth">Decoder blocks (paper: 8).</param>
/// <param name="DecoderHeads">Decoder heads (paper: 16).</param>
/// <param name="DecoderMlpRatio">Decoder MLP ratio (paper: 4).</param>
/// <param name="NormPixLoss">Normalise each target patch by its own mean and (unbiased) variance.</param>
public sealed record MaeConfig(
    VitConfig Encoder,
    int DecoderWidth = 512,
    int DecoderDepth = 8,
    int DecoderHeads = 16,
    double DecoderMlpRatio = 4.0,
    bool NormPixLoss = true)
{
    /// <summary>The decoder as a ViT shape (used for validation and block sizes).</summary>
    public VitConfig Decoder => Encoder with { Width = DecoderWidth, Depth = DecoderDepth, Heads = DecoderHeads, MlpRatio = DecoderMlpRatio };

    public MaeConfig Validate()
    {
        Encoder.Validate();
        Decoder.Validate("Decoder");
        return this;
    }
}
