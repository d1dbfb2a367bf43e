using AmtSharp.Masking;
using AmtSharp.Models.Vit;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AmtSharp.Models.Mae;

/// <summary>
/// Masked autoencoder (He et al. 2022) that consumes a <see cref="MaskPlan"/>. The encoder sees [CLS] and the
/// visible patches; the decoder sees [CLS], the visible tokens and one mask token per masked patch, each with its
/// own position; thrown patches (AMT) get no token anywhere and no loss. Names follow MAE's state dict
/// (decoder_embed, mask_token, decoder_pos_embed, decoder_blocks, decoder_norm, decoder_pred); the encoder's
/// keys carry an "encoder." prefix.
/// </summary>
public sealed class MaskedAutoencoder : Module<Tensor, MaskPlan, MimOutput>, IMaskedImageModel
{
    private readonly VisionTransformer encoder;
    private readonly Linear decoder_embed;
    private readonly Parameter mask_token;
    private readonly Parameter decoder_pos_embed;         // fixed sin-cos, not trained
    private readonly ModuleList<Block> decoder_blocks;
    private readonly LayerNorm decoder_norm;
    private readonly Linear decoder_pred;

    public MaskedAutoencoder(MaeConfig config) : base(nameof(MaskedAutoencoder))
    {
        Config = config.Validate();
        var e = config.Encoder;
        encoder = new VisionTransformer(e);
        decoder_embed = Linear(e.Width, config.DecoderWidth);
        mask_token = Parameter(zeros(1, 1, config.DecoderWidth));
        decoder_pos_embed = Parameter(SinCosPositionEmbedding.Create(e.GridSize, config.DecoderWidth), requires_grad: false);
        decoder_blocks = new ModuleList<Block>();
        for (int i = 0; i < config.DecoderDepth; i++)
        {
            decoder_blocks.Add(new Block(config.DecoderWidth, config.DecoderHeads, config.Decoder.MlpHidden));
        }
        decoder_norm = LayerNorm(config.DecoderWidth, eps: Block.NormEps);
        decoder_pred = Linear(config.DecoderWidth, e.PatchDim);
        RegisterComponents();
    }

    public MaeConfig Config { get; }

    public VisionTransformer Encoder => encoder;

    /// <summary>MAE's initialisation, seeded.</summary>
    public void InitWeights(Generator generator)
    {
        WeightInit.Apply(this, generator);       // every Linear, conv and norm, encoder included
        WeightInit.Token(encoder.ClsToken, generator);
        WeightInit.Token(mask_token, generator);
    }

    public MimOutput Forward(Tensor images, MaskPlan plan) => forward(images, plan);

    public override MimOutput forward(Tensor images, MaskPlan plan)
    {
        using var scope = NewDisposeScope();
        var latent = Encode(images, plan);
        var prediction = Decode(latent, plan);
        var target = Target(images, plan);
        var loss = (prediction - target).square().mean();   // equal n_m per sample: mean over masked patches
        return new MimOutput(loss.MoveToOuterDisposeScope(), prediction.MoveToOuterDisposeScope(), PatchLayout.PixelsThenChannels);
    }

    /// <summary>Encoder over [CLS] and the visible patches: [B, 1 + n_v, D].</summary>
    public Tensor Encode(Tensor images, MaskPlan plan)
    {
        using var scope = NewDisposeScope();
        var patches = encoder.AddPatchPositions(encoder.EmbedPatches(images));
        var visible = Patches.Gather(patches, plan.Visible);
        var tokens = cat([encoder.ClsWithPosition(images.shape[0]), visible], 1);
        return encoder.RunBlocks(tokens).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decoder over [CLS], the visible tokens and a mask token per masked patch: [B, n_m, p²·C] predictions for
    /// the masked patches. Blocks are permutation-equivariant, so the order of the sequence does not matter;
    /// positions come from the added embeddings only.
    /// </summary>
    public Tensor Decode(Tensor latent, MaskPlan plan)
    {
        using var scope = NewDisposeScope();
        long b = latent.shape[0];
        var y = Autocast.Float(Autocast.Linear(decoder_embed, latent));
        var patchPos = decoder_pos_embed[.., 1..].expand(b, -1, -1);
        var cls = y[.., ..1] + decoder_pos_embed[.., ..1];
        var visible = y[.., 1..] + Patches.Gather(patchPos, plan.Visible);
        var masked = mask_token.expand(b, plan.NumMasked, -1) + Patches.Gather(patchPos, plan.Masked);
        var x = cat([cls, visible, masked], 1);
        foreach (var block in decoder_blocks)
        {
            x = block.call(x);
        }
        var output = Autocast.Float(Autocast.Linear(decoder_pred, decoder_norm.call(x[.., (1 + plan.NumVisible)..])));
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Pixel targets of the masked patches [B, n_m, p²·C], per-patch normalised when norm-pix is on.</summary>
    public Tensor Target(Tensor images, MaskPlan plan)
    {
        using var scope = NewDisposeScope();
        var target = Patches.Gather(Patches.Patchify(images, Config.Encoder.PatchSize), plan.Masked);
        if (Config.NormPixLoss)
        {
            target = NormalisePatches(target);
        }
        return target.MoveToOuterDisposeScope();
    }

    /// <summary>(t − μ) / √(σ² + 1e-6) per patch, σ² unbiased (MAE's norm-pix target).</summary>
    public static Tensor NormalisePatches(Tensor patches)
    {
        using var scope = NewDisposeScope();
        var mean = patches.mean([-1], keepdim: true);
        var variance = patches.var(-1, unbiased: true, keepdim: true);
        return ((patches - mean) / (variance + 1e-6).sqrt()).MoveToOuterDisposeScope();
    }
}
