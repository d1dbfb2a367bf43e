using AmtSharp.Masking;
using AmtSharp.Models.Vit;

namespace AmtSharp.Models.SimMim;

/// <summary>SimMIM: the encoder with a mask token, a linear pixel head, and masks drawn on mask units.</summary>
/// <param name="Encoder">The ViT encoder.</param>
/// <param name="MaskUnitSize">Mask-unit side in pixels; 0 picks the default (2p when the patch grid is even, else p).</param>
public sealed record SimMimConfig(VitConfig Encoder, int MaskUnitSize = 0)
{
    /// <summary>The mask-unit side in pixels after resolving the default (32 px at 224/16, 8 px at 32/4).</summary>
    public int ResolvedMaskUnit => MaskUnitSize > 0
        ? MaskUnitSize
        : Encoder.GridSize % 2 == 0 ? 2 * Encoder.PatchSize : Encoder.PatchSize;

    public MaskGrid Grid => MaskGrid.ForUnits(Encoder.ImageSize, Encoder.PatchSize, ResolvedMaskUnit);

    public SimMimConfig Validate()
    {
        Encoder.Validate();
        _ = Grid;
        return this;
    }
}
