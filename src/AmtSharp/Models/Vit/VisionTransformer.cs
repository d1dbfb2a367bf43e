using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AmtSharp.Models.Vit;

/// <summary>
/// The ViT encoder shared by MAE and SimMIM. State-dict names are timm's / MAE's
/// (cls_token, pos_embed, patch_embed.proj.*, blocks.{i}.*, norm.*), so PyTorch checkpoints load unchanged.
/// The methods are the named steps MAE and SimMIM compose: embed patches, add positions, run the blocks.
/// </summary>
public sealed class VisionTransformer : Module<Tensor, Tensor>
{
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;                 // fixed sin-cos, not trained
    private readonly PatchEmbed patch_embed;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm norm;

    public VisionTransformer(VitConfig config) : base(nameof(VisionTransformer))
    {
        Config = config.Validate();
        cls_token = Parameter(zeros(1, 1, config.Width));
        pos_embed = Parameter(SinCosPositionEmbedding.Create(config.GridSize, config.Width), requires_grad: false);
        patch_embed = new PatchEmbed(config.InChannels, config.Width, config.PatchSize);
        blocks = new ModuleList<Block>();
        for (int i = 0; i < config.Depth; i++)
        {
            blocks.Add(new Block(config.Width, config.Heads, config.MlpHidden));
        }
        norm = LayerNorm(config.Width, eps: Block.NormEps);
        RegisterComponents();
    }

    public VitConfig Config { get; }

    /// <summary>MAE's initialisation (see <see cref="WeightInit"/>), drawn from <paramref name="generator"/>.</summary>
    public void InitWeights(Generator generator)
    {
        WeightInit.Apply(this, generator);
        WeightInit.Token(cls_token, generator);
    }

    internal Parameter ClsToken => cls_token;

    internal Parameter PosEmbed => pos_embed;

    internal PatchEmbed PatchEmbedding => patch_embed;

    /// <summary>Patch embeddings without positions: [B, L, D].</summary>
    public Tensor EmbedPatches(Tensor images)
    {
        CheckInput(images);
        return patch_embed.forward(images);
    }

    /// <summary>Adds each patch's position embedding: [B, L, D] → [B, L, D].</summary>
    public Tensor AddPatchPositions(Tensor patches) => patches + pos_embed[.., 1..];

    /// <summary>[CLS] plus its (zero) position, expanded to the batch: [B, 1, D].</summary>
    public Tensor ClsWithPosition(long batch) => (cls_token + pos_embed[.., ..1]).expand(batch, -1, -1);

    /// <summary>Runs the blocks and the final norm over a token sequence whose first token is [CLS].</summary>
    public Tensor RunBlocks(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = tokens;
        foreach (var block in blocks)
        {
            x = block.forward(x);
        }
        return norm.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>All tokens, no masking: [B, 1 + L, D] after the final norm.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return RunBlocks(FullSequence(images)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Full forward where the last block uses the explicit attention path.
    /// Returns the normed tokens and the last block's attention probabilities [B, heads, 1 + L, 1 + L].
    /// </summary>
    public (Tensor Tokens, Tensor LastAttention) ForwardWithLastAttention(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = FullSequence(images);
        for (int i = 0; i < blocks.Count - 1; i++)
        {
            x = blocks[i].forward(x);
        }
        var (y, attn) = blocks[^1].ForwardWithAttention(x);
        return (norm.forward(y).MoveToOuterDisposeScope(), attn.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Only the last block's attention probabilities [B, heads, 1 + L, 1 + L]: blocks 0 … depth−2 run as usual,
    /// the rest of the last block and the final norm are skipped (the AMT prior pass).
    /// </summary>
    public Tensor LastBlockAttention(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = FullSequence(images);
        for (int i = 0; i < blocks.Count - 1; i++)
        {
            x = blocks[i].forward(x);
        }
        return blocks[^1].AttentionProbabilities(x).MoveToOuterDisposeScope();
    }

    private Tensor FullSequence(Tensor images)
    {
        var patches = AddPatchPositions(EmbedPatches(images));
        return cat([ClsWithPosition(images.shape[0]), patches], 1);
    }

    private void CheckInput(Tensor images)
    {
        var c = Config;
        if (images.dim() != 4 || images.shape[1] != c.InChannels || images.shape[2] != c.ImageSize || images.shape[3] != c.ImageSize)
        {
            throw new ArgumentException(
                $"expected images [B, {c.InChannels}, {c.ImageSize}, {c.ImageSize}], got [{string.Join(", ", images.shape)}]");
        }
    }
}
