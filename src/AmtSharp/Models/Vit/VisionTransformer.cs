using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AmtSharp.Models.Vit;

/// <summary>
/// The ViT encoder shared by MAE and SimMIM. State-dict names are timm's / MAE's
/// (cls_token, pos_embed, patch_embed.proj.*, blocks.{i}.*, norm.*), so PyTorch checkpoints load unchanged.
/// The methods are the named steps MAE and SimMIM compose: embed patches, add positions, run the blocks.
/// With a <see cref="VitHead"/> it is also the fine-tuning classifier, as in timm / MAE's models_vit: it gains
/// <c>head.*</c>, and for global-average pooling <c>fc_norm.*</c> replaces <c>norm.*</c>; the position embedding
/// then becomes trainable (MAE fine-tunes it from its sin-cos start).
/// </summary>
public sealed class VisionTransformer : Module<Tensor, Tensor>
{
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;                 // sin-cos; fixed in pretraining, trained with a head
    private readonly PatchEmbed patch_embed;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm? norm;                     // absent with global-average pooling (MAE drops it)
    private readonly LayerNorm? fc_norm;                  // only with global-average pooling
    private readonly Linear? head;

    /// <param name="config">Encoder shape.</param>
    /// <param name="classifier">Adds a classification head; null for the pretraining encoder.</param>
    /// <param name="dropPath">
    /// Stochastic-depth rate of the last block; block i gets rate × i / (depth − 1) (timm's linear rule). 0 = off.
    /// </param>
    public VisionTransformer(VitConfig config, VitHead? classifier = null, double dropPath = 0.0) : base(nameof(VisionTransformer))
    {
        Config = config.Validate();
        Classifier = classifier;
        if (classifier is { Classes: < 1 })
        {
            throw new ArgumentOutOfRangeException(nameof(classifier), classifier.Classes, "a classifier needs at least one class");
        }
        cls_token = Parameter(zeros(1, 1, config.Width));
        pos_embed = Parameter(SinCosPositionEmbedding.Create(config.GridSize, config.Width), requires_grad: classifier is not null);
        patch_embed = new PatchEmbed(config.InChannels, config.Width, config.PatchSize);
        blocks = new ModuleList<Block>();
        for (int i = 0; i < config.Depth; i++)
        {
            blocks.Add(new Block(config.Width, config.Heads, config.MlpHidden, DropPathRate(dropPath, i, config.Depth)));
        }
        if (classifier?.Pooling == VitPooling.GlobalAverage)
        {
            fc_norm = LayerNorm(config.Width, eps: Block.NormEps);
        }
        else
        {
            norm = LayerNorm(config.Width, eps: Block.NormEps);
        }
        if (classifier is not null)
        {
            head = Linear(config.Width, classifier.Classes);
        }
        RegisterComponents();
    }

    public VitConfig Config { get; }

    /// <summary>The classification head's settings, or null for a plain encoder.</summary>
    public VitHead? Classifier { get; }

    /// <summary>timm's rule: rates rise linearly from 0 at the first block to <paramref name="rate"/> at the last.</summary>
    public static double DropPathRate(double rate, int block, int depth) => depth <= 1 ? 0.0 : rate * block / (depth - 1);

    /// <summary>The per-block stochastic-depth rates, first block first.</summary>
    public IReadOnlyList<double> DropPathRates => blocks.Select(b => b.DropPath.Rate).ToList();

    /// <summary>
    /// The generator every block's drop path draws from. Set it before each training step (derived from the run
    /// seed, epoch and step) and clear it afterwards; not needed in evaluation mode or without drop path.
    /// </summary>
    public Generator? DropPathGenerator
    {
        get => blocks.Count > 0 ? blocks[0].DropPath.Generator : null;
        set
        {
            foreach (var block in blocks)
            {
                block.DropPath.Generator = value;
            }
        }
    }

    /// <summary>MAE's initialisation (see <see cref="WeightInit"/>), drawn from <paramref name="generator"/>.</summary>
    public void InitWeights(Generator generator)
    {
        WeightInit.Apply(this, generator);
        WeightInit.Token(cls_token, generator);
    }

    internal Parameter ClsToken => cls_token;

    internal Parameter PosEmbed => pos_embed;

    /// <summary>Patch embeddings without positions: [B, L, D].</summary>
    public Tensor EmbedPatches(Tensor images)
    {
        CheckInput(images);
        return patch_embed.call(images);
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
            x = block.call(x);
        }
        return FinalNorm(x).MoveToOuterDisposeScope();
    }

    /// <summary>All tokens, no masking: [B, 1 + L, D] after the final norm (none with global-average pooling).</summary>
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
            x = blocks[i].call(x);
        }
        var (y, attn) = blocks[^1].ForwardWithAttention(x);
        return (FinalNorm(y).MoveToOuterDisposeScope(), attn.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The feature the head sees, [B, D]: the normed [CLS] token, or the mean of the patch tokens through
    /// <c>fc_norm</c> (global-average pooling).
    /// </summary>
    public Tensor PooledFeatures(Tensor images)
    {
        var c = Classifier ?? throw new InvalidOperationException("this VisionTransformer has no classification head");
        using var scope = NewDisposeScope();
        var tokens = forward(images);
        var pooled = c.Pooling == VitPooling.Cls ? tokens[.., 0] : fc_norm!.call(tokens[.., 1..].mean([1]));
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>Class scores [B, Classes] (logits).</summary>
    public Tensor Classify(Tensor images)
    {
        using var scope = NewDisposeScope();
        return Autocast.Float(Autocast.Linear(head!, PooledFeatures(images))).MoveToOuterDisposeScope();
    }

    /// <summary>Draws the head's weight from N(0, std) and zeroes its bias (MAE: std 2e-5 before fine-tuning).</summary>
    public void InitHead(double std, Generator generator)
    {
        var h = head ?? throw new InvalidOperationException("this VisionTransformer has no classification head");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope(); // in-place ops return aliases
        h.weight!.normal_(0.0, std, generator);
        h.bias!.zero_();
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
            x = blocks[i].call(x);
        }
        return blocks[^1].AttentionProbabilities(x).MoveToOuterDisposeScope();
    }

    private Tensor FinalNorm(Tensor x) => norm is null ? x.alias() : norm.call(x);

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
