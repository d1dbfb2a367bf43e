using AmtSharp.Amt;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Tests.Training;

/// <summary>The tiny pretraining configuration several tests start from (a 32 px ViT 32 wide × 2 blocks).</summary>
internal static class TinyPretrain
{
    public static readonly VitConfig Vit = new(32, 4, 3, 32, 2, 2);

    /// <summary>Four epochs, AMT from epoch 1 with the prior refreshed every <paramref name="refreshInterval"/> epochs.</summary>
    public static PretrainConfig Config(MimMethod method = MimMethod.Mae, int refreshInterval = 2) => (method == MimMethod.Mae
        ? PretrainConfig.MaeAmt(Vit)
        : PretrainConfig.SimMimAmt(Vit)) with
    {
        DecoderWidth = 32,
        DecoderDepth = 1,
        DecoderHeads = 2,
        Epochs = 4,
        BatchSize = 16,
        WarmupEpochs = 1,
        BaseLr = 1e-3,
        Workers = 2,
        Seed = 3,
        Amt = (method == MimMethod.Mae ? AmtConfig.ForMae() : AmtConfig.ForSimMim()) with { StartEpoch = 1, RefreshInterval = refreshInterval },
    };
}
