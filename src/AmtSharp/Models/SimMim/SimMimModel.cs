using AmtSharp.Masking;
using AmtSharp.Models.Vit;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace AmtSharp.Models.SimMim;

/// <summary>
/// SimMIM (Xie et al. 2022) that consumes a <see cref="MaskPlan"/>. A learned mask token replaces the embedding of
/// each masked patch before positions are added; thrown patches (AMT) are then removed from the sequence; a 1×1
/// convolution + pixel shuffle head predicts the pixels, applied per kept token; L1 over masked pixels.
/// State dict: encoder.*, mask_token, decoder.0.{weight,bias} (SimMIM's conv head key).
/// </summary>
public sealed class SimMimModel : Module<Tensor, MaskPlan, MimOutput>, IMaskedImageModel
{
    private readonly VisionTransformer encoder;
    private readonly Parameter mask_token;
    private readonly Sequential decoder;

    public SimMimModel(SimMimConfig config) : base(nameof(SimMimModel))
    {
        Config = config.Validate();
        var e = config.Encoder;
        encoder = new VisionTransformer(e);
        mask_token = Parameter(zeros(1, 1, e.Width));
        decoder = Sequential(Conv2d(e.Width, e.PatchDim, kernel_size: 1), PixelShuffle(e.PatchSize));
        RegisterComponents();
    }

    public SimMimConfig Config { get; }

    public VisionTransformer Encoder => encoder;

    private Conv2d Head => (Conv2d)decoder[0];

    public void InitWeights(Generator generator)
    {
        WeightInit.Apply(this, generator);
        WeightInit.Token(encoder.ClsToken, generator);
        WeightInit.Token(mask_token, generator);
    }

    public MimOutput Forward(Tensor images, MaskPlan plan) => forward(images, plan);

    public override MimOutput forward(Tensor images, MaskPlan plan)
    {
        using var scope = NewDisposeScope();
        var kept = plan.Kept();
        var latent = Encode(images, plan, kept);
        var prediction = PredictPatches(latent);                                 // [B, L − n_t, C·p²]
        var target = Patches.Gather(Patches.PatchifyChannelsFirst(images, Config.Encoder.PatchSize), kept);
        var maskedKept = plan.MaskedIndicator().gather(1, kept).unsqueeze(-1);   // 1 where a kept patch is masked
        // Σ|x − x̂|·M / (Σ masked pixels + 1e-5) / C, SimMIM's formula restricted to kept patches.
        double pixelsPerPatch = (double)Config.Encoder.PatchSize * Config.Encoder.PatchSize;
        var loss = ((prediction - target).abs() * maskedKept).sum()
                   / (maskedKept.sum() * pixelsPerPatch + 1e-5) / Config.Encoder.InChannels;
        var maskedPrediction = SelectMasked(prediction, kept, plan);
        return new MimOutput(loss.MoveToOuterDisposeScope(), maskedPrediction.MoveToOuterDisposeScope(), PatchLayout.ChannelsThenPixels);
    }

    /// <summary>Encoder tokens of the kept patches [B, L − n_t, D] ([CLS] dropped).</summary>
    public Tensor Encode(Tensor images, MaskPlan plan, Tensor kept)
    {
        using var scope = NewDisposeScope();
        var patches = encoder.EmbedPatches(images);
        var w = plan.MaskedIndicator().unsqueeze(-1);
        patches = patches * (1 - w) + mask_token * w;                        // mask token before positions
        patches = encoder.AddPatchPositions(patches);
        if (plan.NumThrown > 0)
        {
            patches = Patches.Gather(patches, kept);                          // throw after positions are added
        }
        var tokens = cat([encoder.ClsWithPosition(images.shape[0]), patches], 1);
        return encoder.RunBlocks(tokens)[.., 1..].MoveToOuterDisposeScope();
    }

    /// <summary>The head per token: the 1×1 conv as a linear map, [B, n, D] → [B, n, C·p²] (pixel-shuffle layout).</summary>
    public Tensor PredictPatches(Tensor tokens)
    {
        var head = Head;
        using var weight = head.weight!.flatten(1);
        return Autocast.Float(Autocast.Linear(tokens, weight, head.bias));
    }

    /// <summary>The head as SimMIM applies it on a full token grid: conv 1×1 + pixel shuffle → [B, C, S, S].</summary>
    public Tensor ReconstructImage(Tensor gridTokens)
    {
        int g = Config.Encoder.GridSize;
        using var grid = gridTokens.transpose(1, 2).reshape(gridTokens.shape[0], -1, g, g);
        return decoder.call(grid);
    }

    public Tensor Target(Tensor images, MaskPlan plan)
    {
        using var patches = Patches.PatchifyChannelsFirst(images, Config.Encoder.PatchSize);
        return Patches.Gather(patches, plan.Masked);
    }

    // Predictions of the masked patches, in the order of plan.Masked: kept is sorted and contains Masked,
    // so each masked index's position inside kept is found by searchsorted.
    private static Tensor SelectMasked(Tensor prediction, Tensor kept, MaskPlan plan)
    {
        using var positions = searchsorted(kept, plan.Masked);
        return Patches.Gather(prediction, positions);
    }
}
